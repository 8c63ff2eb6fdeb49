package wazerotest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

// Config is one run of a wasip1 module.
type Config struct {
	Args           []string // argv[1:]
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Dir            string // working directory inside the guest (host path, "/" mounted); "" = host cwd
	Env            []string
}

var (
	cacheOnce sync.Once
	cache     wazero.CompilationCache
)

// runtimeConfig is the compiler engine with every finished feature
// (wasm 2.0 core, SIMD included), sharing one compilation cache.
func runtimeConfig() wazero.RuntimeConfig {
	cacheOnce.Do(func() { cache = wazero.NewCompilationCache() })
	return wazero.NewRuntimeConfigCompiler().
		WithCoreFeatures(api.CoreFeaturesV2).
		WithCompilationCache(cache)
}

// Module is a compiled wasip1 module that can be run many times.
type Module struct {
	rt  wazero.Runtime
	mod wazero.CompiledModule
}

// Compile compiles the wasm file at path.
func Compile(ctx context.Context, path string) (*Module, error) {
	bin, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return CompileBytes(ctx, path, bin)
}

// CompileBytes compiles a wasm binary held in memory (an embedded guest);
// name only labels errors.
func CompileBytes(ctx context.Context, name string, bin []byte) (*Module, error) {
	path := name
	rt := wazero.NewRuntimeWithConfig(ctx, runtimeConfig())
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		rt.Close(ctx)
		return nil, err
	}
	mod, err := rt.CompileModule(ctx, bin)
	if err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("wazerotest: compile %s: %w", path, err)
	}
	return &Module{rt: rt, mod: mod}, nil
}

// Close releases the runtime.
func (m *Module) Close(ctx context.Context) error { return m.rt.Close(ctx) }

// Run instantiates the module and runs its _start; a non-zero exit code
// is returned as *ExitError.
func (m *Module) Run(ctx context.Context, c Config) error {
	dir := c.Dir
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return err
		}
	}
	mc := wazero.NewModuleConfig().
		WithName("").
		WithArgs(append([]string{"guest.wasm"}, c.Args...)...).
		WithFSConfig(wazero.NewFSConfig().WithDirMount("/", "/")).
		WithSysWalltime().WithSysNanotime().WithSysNanosleep().
		WithRandSource(zeroReader{}).
		WithEnv("PWD", dir)
	for _, kv := range c.Env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			mc = mc.WithEnv(k, v)
		}
	}
	if c.Stdin != nil {
		mc = mc.WithStdin(c.Stdin)
	}
	if c.Stdout != nil {
		mc = mc.WithStdout(c.Stdout)
	}
	if c.Stderr != nil {
		mc = mc.WithStderr(c.Stderr)
	}
	inst, err := m.rt.InstantiateModule(ctx, m.mod, mc)
	if inst != nil {
		inst.Close(ctx)
	}
	var ee *sys.ExitError
	if errors.As(err, &ee) {
		if ee.ExitCode() == 0 {
			return nil
		}
		return &ExitError{Code: ee.ExitCode()}
	}
	return err
}

// ExitError reports a guest's non-zero exit code.
type ExitError struct{ Code uint32 }

func (e *ExitError) Error() string { return fmt.Sprintf("wasm guest exited with code %d", e.Code) }

// zeroReader makes the guest's random source deterministic.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// Build compiles the Go package pkg for GOOS=wasip1 GOARCH=wasm into out,
// with GOEXPERIMENT=simd when simd is set. test builds the package's test
// binary (go test -c) instead of a program.
func Build(ctx context.Context, pkg, out string, simd, test bool) error {
	return BuildIn(ctx, "", pkg, out, simd, test)
}

// BuildIn is Build run in the folder dir ("" = the current one): a
// package path resolves in the module that holds dir.
func BuildIn(ctx context.Context, dir, pkg, out string, simd, test bool) error {
	args := []string{"build", "-o", out, pkg}
	if test {
		args = []string{"test", "-c", "-o", out, pkg}
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if os.Getenv("GOTOOLCHAIN") == "" {
		// build with the toolchain this program was built with
		v, _, _ := strings.Cut(runtime.Version(), " ")
		v, _, _ = strings.Cut(v, "-")
		cmd.Env = append(cmd.Env, "GOTOOLCHAIN="+v)
	}
	exp := "GOEXPERIMENT=nosimd"
	if simd {
		exp = "GOEXPERIMENT=simd"
	}
	cmd.Env = append(cmd.Env, exp)
	if o, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("wazerotest: go %s (%s): %v\n%s", strings.Join(args, " "), exp, err, o)
	}
	return nil
}

// BuildDir is where harness builds go: $QDIFF_BUILD, else a temp dir.
func BuildDir() (string, error) {
	if d := os.Getenv("QDIFF_BUILD"); d != "" {
		return d, os.MkdirAll(d, 0o755)
	}
	return os.MkdirTemp("", "qdiff-wasm-")
}

// Abs resolves a path against the host cwd.
func Abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
