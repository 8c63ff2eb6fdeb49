package st

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"short", "short"},
		{strings.Repeat("a", maxQuoted), strings.Repeat("a", maxQuoted)},
		{strings.Repeat("b", 1000), strings.Repeat("b", maxQuoted) + "...(1000 bytes)"},
	} {
		if got := Clip(c.in); got != c.want {
			t.Errorf("Clip(%d bytes) = %q, want %q", len(c.in), got, c.want)
		}
	}
}

func TestBound(t *testing.T) {
	long := errors.New(strings.Repeat("x", 10000))
	if got := bound(long).Error(); len(got) > maxError+20 || !strings.HasSuffix(got, "(message cut)") {
		t.Errorf("bound: %d bytes %q...", len(got), got[:20])
	}
	if !errors.Is(bound(io.ErrUnexpectedEOF), io.ErrUnexpectedEOF) {
		t.Error("bound loses the error chain")
	}
	if bound(nil) != nil {
		t.Error("bound(nil) != nil")
	}
}
