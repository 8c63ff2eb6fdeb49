package wazerotest

import (
	"context"
	"path"
	"path/filepath"
	"testing"
)

// BuildForTest builds package pkg for wasip1 with SIMD into dir and
// compiles it for wazero; the module is closed when the test ends.
func BuildForTest(t testing.TB, pkg, dir string) *Module {
	t.Helper()
	ctx := context.Background()
	wasm := filepath.Join(dir, path.Base(pkg)+".wasm")
	if err := Build(ctx, pkg, wasm, true, false); err != nil {
		t.Fatal(err)
	}
	mod, err := Compile(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mod.Close(ctx) })
	return mod
}
