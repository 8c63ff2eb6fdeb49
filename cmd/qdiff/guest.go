package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"runtime"

	"github.com/qdiff/qdiff/kernels/wazerotest"
)

// guestFS holds the engine guest when `make qdiff` mapped one in (see
// guestwasm/README.md); otherwise only the README.
//
//go:embed guestwasm
var guestFS embed.FS

// guestWasm is the engine guest's file name, embedded and in the cache.
const guestWasm = "engine-guest-simd.wasm"

// engineGuest compiles the wasip1 SIMD engine guest: the embedded one, or
// else one built from this binary's source tree into the user cache
// folder (go build relinks it only when the source changed). Nothing is
// written to temporary folders.
func engineGuest(ctx context.Context) (*wazerotest.Module, error) {
	if bin, err := guestFS.ReadFile("guestwasm/" + guestWasm); err == nil {
		return wazerotest.CompileBytes(ctx, "embedded "+guestWasm, bin)
	}
	root, err := sourceRoot()
	if err != nil {
		return nil, err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return nil, fmt.Errorf("no embedded wasm guest and no user cache folder (%v): build qdiff with `make qdiff`, or use -native", err)
	}
	h := fnv.New64a()
	h.Write([]byte(root))
	dir := filepath.Join(cache, "qdiff", fmt.Sprintf("guest-%016x", h.Sum64())) // one per source tree
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	wasm := filepath.Join(dir, guestWasm)
	if err := wazerotest.BuildIn(ctx, root, EngineGuestPkg, wasm, true, false); err != nil {
		return nil, err
	}
	return wazerotest.Compile(ctx, wasm)
}

// sourceRoot finds the qdiff module this binary was built from: the
// folder its source file was compiled in, else the current folder's.
func sourceRoot() (string, error) {
	var tries []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		tries = append(tries, filepath.Dir(filepath.Dir(filepath.Dir(file))))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			tries = append(tries, d)
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, d := range tries {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && bytes.HasPrefix(b, []byte("module github.com/qdiff/qdiff\n")) {
			return d, nil
		}
	}
	return "", errors.New("this qdiff has no embedded wasm guest and its source tree is gone: build it with `make qdiff`, or use -native")
}
