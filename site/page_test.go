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
		Models: []Model{{Precision: "fp32", URL: "models/a.safetensors", SHA256: "aa", Bytes: 1}, {Precision: "w8a8", URL: "models/b.safetensors", SHA256: "bb", Bytes: 2}}}
	var b bytes.Buffer
	if err := Page(m).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{`<script src="app.0123456789abcdef.js" defer>`, `<option value="w8a8" selected>W8A8</option>`, `id="manifest"`, `id="cancel"`} {
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
