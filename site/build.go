package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
)

//go:embed static
var staticFS embed.FS

// WasmPkg is the browser program.
const WasmPkg = "github.com/qdiff/qdiff/wasm"

// BuildOptions configure Build.
type BuildOptions struct {
	Out    string            // output folder
	Models     map[string]string // precision -> engine weights file
	Classifier string            // binary network file (optional)
	Log        io.Writer
}

// Build writes the whole site into opt.Out and returns its manifest.
func Build(ctx context.Context, opt BuildOptions) (Manifest, error) {
	var m Manifest
	if err := os.MkdirAll(filepath.Join(opt.Out, "models"), 0o755); err != nil {
		return m, err
	}
	logf := func(f string, a ...any) {
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, f+"\n", a...)
		}
	}
	tmp, err := os.MkdirTemp("", "qdiff-site-")
	if err != nil {
		return m, err
	}
	defer os.RemoveAll(tmp)
	wasmPath := filepath.Join(tmp, "qdiff.wasm")
	logf("building %s (GOOS=js, SIMD)", WasmPkg)
	if err := goCmd(ctx, []string{"GOOS=js", "GOARCH=wasm", "GOEXPERIMENT=simd"}, "build", "-trimpath", "-ldflags=-s -w", "-o", wasmPath, WasmPkg); err != nil {
		return m, err
	}
	wasmBytes, err := os.ReadFile(wasmPath)
	if err != nil {
		return m, err
	}
	if m.Wasm, err = put(opt.Out, "qdiff.wasm", wasmBytes, true); err != nil {
		return m, err
	}
	root, err := goOutput(ctx, "env", "GOROOT")
	if err != nil {
		return m, err
	}
	execJS, err := os.ReadFile(filepath.Join(strings.TrimSpace(root), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return m, fmt.Errorf("site: wasm_exec.js: %w", err)
	}
	if m.WasmExec, err = put(opt.Out, "wasm_exec.js", execJS, true); err != nil {
		return m, err
	}
	for _, s := range []struct {
		name string
		dst  *string
	}{{"app.js", &m.App}, {"pad.js", &m.Pad}, {"worker.js", &m.Worker}, {"style.css", &m.Style}} {
		b, err := staticFS.ReadFile("static/" + s.name)
		if err != nil {
			return m, err
		}
		if *s.dst, err = put(opt.Out, s.name, b, true); err != nil {
			return m, err
		}
	}
	for _, prec := range []string{"fp32", "w8a8", "w4a8"} {
		p, ok := opt.Models[prec]
		if !ok {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return m, fmt.Errorf("site: model %s: %w", prec, err)
		}
		sum := sha256.Sum256(b)
		url, err := put(opt.Out, "models/unet."+prec+".safetensors", b, false)
		if err != nil {
			return m, err
		}
		m.Models = append(m.Models, Model{Precision: prec, URL: url, SHA256: hex.EncodeToString(sum[:]), Bytes: len(b)})
	}
	if len(m.Models) == 0 {
		return m, fmt.Errorf("site: no model files given")
	}
	if opt.Classifier != "" {
		b, err := os.ReadFile(opt.Classifier)
		if err != nil {
			return m, fmt.Errorf("site: classifier: %w", err)
		}
		sum := sha256.Sum256(b)
		url, err := put(opt.Out, "models/bnet.safetensors", b, false)
		if err != nil {
			return m, err
		}
		m.Classifier = &Model{Precision: "b1", URL: url, SHA256: hex.EncodeToString(sum[:]), Bytes: len(b)}
	}
	var page bytes.Buffer
	if err := Page(m).Render(ctx, &page); err != nil {
		return m, err
	}
	if err := writeWithGzip(filepath.Join(opt.Out, "index.html"), page.Bytes()); err != nil {
		return m, err
	}
	logf("wrote %s: wasm %d bytes, %d models", opt.Out, len(wasmBytes), len(m.Models))
	return m, nil
}

// put writes b as name with its content hash in the file name
// (name.<16 hex>.ext), plus a .gz variant when compress is set, and
// returns its relative URL.
func put(out, name string, b []byte, compress bool) (string, error) {
	sum := sha256.Sum256(b)
	ext := path.Ext(name)
	hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:8]) + ext
	p := filepath.Join(out, filepath.FromSlash(hashed))
	if compress {
		return hashed, writeWithGzip(p, b)
	}
	return hashed, os.WriteFile(p, b, 0o644)
}

func writeWithGzip(p string, b []byte) error {
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return err
	}
	var z bytes.Buffer
	w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	w.Write(b)
	if err := w.Close(); err != nil {
		return err
	}
	if z.Len() >= len(b) {
		return nil
	}
	return os.WriteFile(p+".gz", z.Bytes(), 0o644)
}

func toolchainEnv() []string {
	if os.Getenv("GOTOOLCHAIN") != "" {
		return nil
	}
	v, _, _ := strings.Cut(runtime.Version(), " ")
	v, _, _ = strings.Cut(v, "-")
	return []string{"GOTOOLCHAIN=" + v}
}

func goCmd(ctx context.Context, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(append(os.Environ(), toolchainEnv()...), env...)
	if o, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("site: go %s: %v\n%s", strings.Join(args, " "), err, o)
	}
	return nil
}

func goOutput(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), toolchainEnv()...)
	o, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("site: go %s: %v", strings.Join(args, " "), err)
	}
	return string(o), nil
}
