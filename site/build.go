package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/a-h/templ"
	"github.com/andybalholm/brotli"
)

//go:embed static
var staticFS embed.FS

// ElementScript is the stable (unhashed) name of the <qdiff-generator>
// script that other sites load.
const ElementScript = "qdiff-element.js"

// WasmPkg is the browser program.
const WasmPkg = "github.com/qdiff/qdiff/wasm"

// BuildOptions configure Build.
type BuildOptions struct {
	Out        string            // output folder
	Models     map[string]string // precision -> engine weights file
	Classifier string            // binary network file (optional)
	Dialog     string            // SI-Dial model for it (optional)
	Brotli     int               // brotli quality 0-11 of the .br variants (0: gzip only)
	Cards      []string          // model cards (Markdown) for the docs page
	Previews   []string          // preview PNGs for the docs page
	Log        io.Writer
}

// Build writes the whole site into opt.Out and returns its manifest.
func Build(ctx context.Context, opt BuildOptions) (Manifest, error) {
	var m Manifest
	w := writer{out: opt.Out, br: opt.Brotli, wire: map[string]int{}}
	for _, d := range []string{"models", "previews"} {
		if err := os.MkdirAll(filepath.Join(opt.Out, d), 0o755); err != nil {
			return m, err
		}
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
	if m.Wasm, err = w.put("qdiff.wasm", wasmBytes, true); err != nil {
		return m, err
	}
	m.WasmBytes, m.WasmWire = len(wasmBytes), w.wire[m.Wasm]
	root, err := goOutput(ctx, "env", "GOROOT")
	if err != nil {
		return m, err
	}
	execJS, err := os.ReadFile(filepath.Join(strings.TrimSpace(root), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		return m, fmt.Errorf("site: wasm_exec.js: %w", err)
	}
	if m.WasmExec, err = w.put("wasm_exec.js", execJS, true); err != nil {
		return m, err
	}
	clientJS, err := clientScript()
	if err != nil {
		return m, err
	}
	if m.Client, err = w.put("client.js", clientJS, true); err != nil {
		return m, err
	}
	for _, s := range []struct {
		name string
		dst  *string
	}{{"app.js", &m.App}, {"pad.js", &m.Pad}, {"docs.js", &m.Docs}, {"worker.js", &m.Worker}, {"style.css", &m.Style}} {
		b, err := staticFS.ReadFile("static/" + s.name)
		if err != nil {
			return m, err
		}
		if *s.dst, err = w.put(s.name, b, true); err != nil {
			return m, err
		}
	}
	if err := w.example(&m); err != nil {
		return m, err
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
		mm, err := w.model("models/unet."+prec+".safetensors", prec, b)
		if err != nil {
			return m, err
		}
		m.Models = append(m.Models, *mm)
	}
	if len(m.Models) == 0 {
		return m, fmt.Errorf("site: no model files given")
	}
	if opt.Classifier != "" {
		b, err := os.ReadFile(opt.Classifier)
		if err != nil {
			return m, fmt.Errorf("site: classifier: %w", err)
		}
		if m.Classifier, err = w.model("models/bnet.safetensors", "b1", b); err != nil {
			return m, err
		}
	}
	if opt.Dialog != "" {
		b, err := os.ReadFile(opt.Dialog)
		if err != nil {
			return m, fmt.Errorf("site: dialog: %w", err)
		}
		if m.Dialog, err = w.model("models/dialog.safetensors", "sidial", b); err != nil {
			return m, err
		}
	}
	cards, err := renderCards(opt.Out, opt.Cards)
	if err != nil {
		return m, err
	}
	docs := DocsData{Cards: cards}
	for _, p := range opt.Previews {
		b, err := os.ReadFile(p)
		if err != nil {
			return m, fmt.Errorf("site: preview: %w", err)
		}
		u, err := w.put("previews/"+filepath.Base(p), b, false)
		if err != nil {
			return m, err
		}
		docs.Previews = append(docs.Previews, u)
	}
	// stable names for other sites: the element script (the shared client,
	// then the element) and the manifest it reads
	elem, err := staticFS.ReadFile("static/element.js")
	if err != nil {
		return m, err
	}
	if err := w.write(ElementScript, append(append(clientJS, '\n'), elem...)); err != nil {
		return m, err
	}
	if err := w.serviceWorker(m); err != nil {
		return m, err
	}
	mj, err := json.MarshalIndent(m.Data(), "", "  ")
	if err != nil {
		return m, err
	}
	if err := w.write("manifest.json", mj); err != nil {
		return m, err
	}
	for _, p := range []struct {
		name string
		c    templ.Component
	}{{"index.html", Page(m)}, {"embed.html", Embed(m)}, {"docs.html", Docs(m, docs)}} {
		var page bytes.Buffer
		if err := p.c.Render(ctx, &page); err != nil {
			return m, err
		}
		if err := w.write(p.name, page.Bytes()); err != nil {
			return m, err
		}
	}
	logf("wrote %s: wasm %d bytes, %d models", opt.Out, len(wasmBytes), len(m.Models))
	return m, nil
}

// clientScript is static/client.js with the Params table written in.
func clientScript() ([]byte, error) {
	b, err := staticFS.ReadFile("static/client.js")
	if err != nil {
		return nil, err
	}
	pj, err := paramsJSON()
	if err != nil {
		return nil, err
	}
	return fill(b, "/*QDIFF_PARAMS*/[]", pj)
}

// fill replaces the one placeholder in a static file.
func fill(b []byte, placeholder string, v []byte) ([]byte, error) {
	if bytes.Count(b, []byte(placeholder)) != 1 {
		return nil, fmt.Errorf("site: %s is not in the static file once", placeholder)
	}
	return bytes.Replace(b, []byte(placeholder), v, 1), nil
}

// example puts the example grid (static/example.png, `make example`) and
// the favicon made from it.
func (w writer) example(m *Manifest) error {
	grid, err := staticFS.ReadFile("static/example.png")
	if err != nil {
		return err
	}
	if m.Example, err = w.put("example.png", grid, false); err != nil {
		return err
	}
	ipng, ico, err := icon(grid)
	if err != nil {
		return err
	}
	if m.Icon, err = w.put("favicon.png", ipng, false); err != nil {
		return err
	}
	return w.write("favicon.ico", ico)
}

// serviceWorker writes sw.js (a stable name: its scope is the site's
// folder) with this build's files: the ones it stores when it installs,
// and every content-hashed one it keeps.
func (w writer) serviceWorker(m Manifest) error {
	shell := []string{"./", m.App, m.Client, m.Pad, m.Worker, m.Style, m.WasmExec, m.Icon, m.Example, "manifest.json", ElementScript}
	keep := []string{m.Wasm, m.Docs}
	for _, mm := range append(append([]Model{}, m.Models...), deref(m.Classifier, m.Dialog)...) {
		keep = append(keep, mm.URL)
	}
	b, err := staticFS.ReadFile("static/sw.js")
	if err != nil {
		return err
	}
	for _, f := range []struct {
		placeholder string
		list        []string
	}{{"/*QDIFF_SHELL*/[]", shell}, {"/*QDIFF_KEEP*/[]", keep}} {
		j, err := json.Marshal(f.list)
		if err != nil {
			return err
		}
		if b, err = fill(b, f.placeholder, j); err != nil {
			return err
		}
	}
	return w.write("sw.js", b)
}

func deref(ms ...*Model) []Model {
	var out []Model
	for _, m := range ms {
		if m != nil {
			out = append(out, *m)
		}
	}
	return out
}

// writer puts files into the site folder with compressed variants.
type writer struct {
	out  string
	br   int            // brotli quality, 0: none
	wire map[string]int // name -> bytes of its smallest variant (what a compressing server sends)
}

// put writes b as name with its content hash in the file name
// (name.<16 hex>.ext), plus compressed variants when compress is set, and
// returns its relative URL.
func (w writer) put(name string, b []byte, compress bool) (string, error) {
	sum := sha256.Sum256(b)
	ext := path.Ext(name)
	hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:8]) + ext
	if compress {
		return hashed, w.write(hashed, b)
	}
	return hashed, os.WriteFile(filepath.Join(w.out, filepath.FromSlash(hashed)), b, 0o644)
}

// model puts a weights file and describes it for the manifest.
func (w writer) model(name, kind string, b []byte) (*Model, error) {
	sum := sha256.Sum256(b)
	url, err := w.put(name, b, true)
	if err != nil {
		return nil, err
	}
	return &Model{Precision: kind, URL: url, SHA256: hex.EncodeToString(sum[:]), Bytes: len(b), Wire: w.wire[url]}, nil
}

// write writes name and its .gz (and .br) variants where they are smaller.
func (w writer) write(name string, b []byte) error {
	p := filepath.Join(w.out, filepath.FromSlash(name))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return err
	}
	small := func(n int) {
		if w.wire != nil && (w.wire[name] == 0 || n < w.wire[name]) {
			w.wire[name] = n
		}
	}
	small(len(b))
	var z bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	gz.Write(b)
	if err := gz.Close(); err != nil {
		return err
	}
	if z.Len() < len(b) {
		if err := os.WriteFile(p+".gz", z.Bytes(), 0o644); err != nil {
			return err
		}
		small(z.Len())
	}
	if w.br == 0 {
		return nil
	}
	var br bytes.Buffer
	bw := brotli.NewWriterLevel(&br, w.br)
	bw.Write(b)
	if err := bw.Close(); err != nil {
		return err
	}
	if br.Len() < min(len(b), z.Len()) {
		small(br.Len())
		return os.WriteFile(p+".br", br.Bytes(), 0o644)
	}
	return nil
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
