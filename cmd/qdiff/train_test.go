package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStartFrom(t *testing.T) {
	dir := t.TempDir()
	from, ckpt := filepath.Join(dir, "a.ckpt"), filepath.Join(dir, "b.ckpt")
	if err := startFrom(from, ckpt); err == nil {
		t.Fatal("a missing -from checkpoint was accepted")
	}
	// the first call copies; once the new run has its own checkpoint,
	// -from leaves it alone
	for _, c := range []struct{ write, path, want string }{
		{"first run", from, "first run"},
		{"second run, step 9", ckpt, "second run, step 9"},
	} {
		if err := os.WriteFile(c.path, []byte(c.write), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := startFrom(from, ckpt); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(ckpt); string(b) != c.want {
			t.Fatalf("after writing %q to %s: checkpoint holds %q", c.write, c.path, b)
		}
	}
	if err := startFrom(from, ""); err == nil {
		t.Fatal("-from without -ckpt was accepted")
	}
}
