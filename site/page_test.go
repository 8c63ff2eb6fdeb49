package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func TestPage_Render(t *testing.T) {
	m := Manifest{App: "app.0123456789abcdef.js", Worker: "worker.x.js", Style: "style.x.css", Wasm: "qdiff.x.wasm", WasmExec: "wasm_exec.x.js",
		Models:     []Model{{Precision: "fp32", URL: "models/a.safetensors", SHA256: "aa", Bytes: 1, Wire: 1000}, {Precision: "w8a8", URL: "models/b.safetensors", SHA256: "bb", Bytes: 2, Wire: 2000}},
		Classifier: &Model{Precision: "b1", URL: "models/c.safetensors"}}
	var b bytes.Buffer
	if err := Page(m).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{`<script src="app.0123456789abcdef.js" defer>`, `<option value="w8a8" selected>W8A8 · 2 KB</option>`, `id="manifest"`, `id="cancel"`,
		`<meta name="description"`, `href="docs"`, `href="` + SourceURL + `"`, `name="steps" type="number" min="1" max="1000" step="1" value="20"`,
		`name="guidance" type="number" min="0" max="50" step="any" value="3"`, `(FP32 1 KB, W8A8 2 KB)`, `id="pad-canvas"`} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	i := strings.Index(html, `id="manifest"`)
	j := strings.Index(html[i:], ">")
	k := strings.Index(html[i:], "</script>")
	var got map[string]any
	if err := json.Unmarshal([]byte(html[i+j+1:i+k]), &got); err != nil {
		t.Fatalf("manifest is not JSON: %v", err)
	}
	if got["wasm"] != "qdiff.x.wasm" || len(got["models"].([]any)) != 2 {
		t.Errorf("manifest %v", got)
	}
}

func TestWriter_Put(t *testing.T) {
	dir := t.TempDir()
	w := writer{out: dir, br: 5}
	a, err := w.put("x.js", []byte(strings.Repeat("a", 400)), true)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := w.put("x.js", []byte(strings.Repeat("b", 400)), true)
	if a == b || !strings.HasPrefix(a, "x.") || !strings.HasSuffix(a, ".js") || len(a) != len("x.0123456789abcdef.js") {
		t.Errorf("hashed names %q %q", a, b)
	}
	// compressible content gets both variants, and they decode to it
	raw, _ := os.ReadFile(filepath.Join(dir, a))
	for _, ext := range []string{".gz", ".br"} {
		z, err := os.Open(filepath.Join(dir, a+ext))
		if err != nil {
			t.Fatalf("%s variant: %v", ext, err)
		}
		var r io.Reader = brotli.NewReader(z)
		if ext == ".gz" {
			if r, err = gzip.NewReader(z); err != nil {
				t.Fatal(err)
			}
		}
		got, err := io.ReadAll(r)
		z.Close()
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("%s variant decodes to %d bytes (%v), want the %d original", ext, len(got), err, len(raw))
		}
	}
}

func TestParams_Client(t *testing.T) {
	b, err := clientScript()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `const PARAMS = [{"name":"digit","min":-1,"max":9,"step":1,"default":-1},`) || strings.Contains(string(b), "QDIFF_PARAMS") {
		t.Errorf("client.js does not carry the Params table")
	}
	if _, err := fill([]byte("a /*X*/ b /*X*/"), "/*X*/", nil); err == nil {
		t.Error("fill accepted a placeholder found twice")
	}
}

func TestExampleAlt(t *testing.T) {
	// engine.RandomDigit of seeds 1..8: the digits of static/example.png
	if got, want := exampleAlt(), "Example output: 8 generated digits, 0, 9, 4, 5, 7, 4, 9, 6"; got != want {
		t.Errorf("exampleAlt() = %q, want %q", got, want)
	}
}

func TestMB(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 KB"}, {499, "0 KB"}, {500, "1 KB"}, {766_123, "766 KB"}, {1_040_216, "1.04 MB"}, {4_082_173, "4.08 MB"}} {
		if got := mb(c.n); got != c.want {
			t.Errorf("mb(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
