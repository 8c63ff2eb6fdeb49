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
	if err := os.WriteFile(from, []byte("first run"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := startFrom(from, ckpt); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(ckpt); string(b) != "first run" {
		t.Fatalf("copied %q", b)
	}
	// once the new run has its own checkpoint, -from leaves it alone
	if err := os.WriteFile(ckpt, []byte("second run, step 9"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := startFrom(from, ckpt); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(ckpt); string(b) != "second run, step 9" {
		t.Fatalf("resumed checkpoint overwritten: %q", b)
	}
	if err := startFrom(from, ""); err == nil {
		t.Fatal("-from without -ckpt was accepted")
	}
}
