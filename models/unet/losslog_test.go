package unet

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTrimLossLog: rows after the checkpoint's step and a last row cut
// short go, the others stay as written; a missing file is no error.
func TestTrimLossLog(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, in string
		step     int
		want     string
	}{
		{"resumed after a kill", "1,0.5\n2,0.4\n3,0.3\n4,0.2\n", 2, "1,0.5\n2,0.4\n"},
		{"nothing past the checkpoint", "1,0.5\n2,0.4\n", 2, "1,0.5\n2,0.4\n"},
		{"a row cut short past the checkpoint", "1,0.5\n2,0.4\n3,0.", 2, "1,0.5\n2,0.4\n"},
		{"a row cut short before it", "1,0.5\n2,0.", 5, "1,0.5\n"},
		{"an earlier run's duplicate steps kept", "5,0.1\n6,0.2\n5,0.3\n6,0.4\n7,0.5\n", 6, "5,0.1\n6,0.2\n5,0.3\n6,0.4\n"},
		{"all past it", "8,0.1\n9,0.2\n", 3, ""},
	} {
		p := filepath.Join(dir, "loss.csv")
		if err := os.WriteFile(p, []byte(c.in), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := trimLossLog(p, c.step); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if err := trimLossLog(filepath.Join(dir, "none.csv"), 3); err != nil {
		t.Errorf("missing file: %v", err)
	}
}
