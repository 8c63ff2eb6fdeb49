package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func testSite() fstest.MapFS {
	return fstest.MapFS{
		"index.html":                                    {Data: []byte("<html>hi</html>")},
		"embed.html":                                    {Data: []byte("<html>embed</html>")},
		"qdiff.0123456789abcdef.wasm":                   {Data: []byte("\x00asm....")},
		"qdiff.0123456789abcdef.wasm.gz":                {Data: gz("\x00asm....")},
		"qdiff.0123456789abcdef.wasm.br":                {Data: []byte("brotli bytes")},
		"models/unet.w8a8.fedcba9876543210.safetensors": {Data: []byte("0123456789")},
		"app.js": {Data: []byte("console.log(1)")},
	}
}

func do(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandler_Serve(t *testing.T) {
	h := New(testSite(), log.New(io.Discard, "", 0))
	for _, c := range []struct {
		name, method, target string
		hdr                  map[string]string
		status               int
		check                func(*httptest.ResponseRecorder) string
	}{
		{"index", "GET", "/", nil, 200, func(w *httptest.ResponseRecorder) string {
			if !strings.Contains(w.Header().Get("Content-Security-Policy"), "wasm-unsafe-eval") {
				return "no CSP"
			}
			if w.Header().Get("Cross-Origin-Embedder-Policy") != "require-corp" || w.Header().Get("Cross-Origin-Opener-Policy") != "same-origin" {
				return "no COOP/COEP"
			}
			if w.Header().Get("Cache-Control") != "no-cache" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
				return "caching or nosniff wrong"
			}
			return ""
		}},
		{"embed route", "GET", "/embed?digit=7", nil, 200, func(w *httptest.ResponseRecorder) string {
			if !strings.Contains(w.Body.String(), "embed") {
				return "not embed.html"
			}
			return ""
		}},
		{"wasm gzip", "GET", "/qdiff.0123456789abcdef.wasm", map[string]string{"Accept-Encoding": "gzip, deflate"}, 200, func(w *httptest.ResponseRecorder) string {
			if w.Header().Get("Content-Type") != "application/wasm" || w.Header().Get("Content-Encoding") != "gzip" {
				return "type " + w.Header().Get("Content-Type") + " encoding " + w.Header().Get("Content-Encoding")
			}
			if !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
				return "hashed file not immutable"
			}
			return ""
		}},
		{"wasm brotli when all but br is refused", "GET", "/qdiff.0123456789abcdef.wasm", map[string]string{"Accept-Encoding": "*;q=0, br"}, 200, func(w *httptest.ResponseRecorder) string {
			if w.Header().Get("Content-Encoding") != "br" || w.Body.String() != "brotli bytes" || w.Header().Get("Content-Length") != "12" {
				return "encoding " + w.Header().Get("Content-Encoding")
			}
			return ""
		}},
		{"wasm identity", "GET", "/qdiff.0123456789abcdef.wasm", map[string]string{"Accept-Encoding": "gzip;q=0, br;q=0"}, 200, func(w *httptest.ResponseRecorder) string {
			if w.Header().Get("Content-Encoding") != "" || w.Body.String() != "\x00asm...." {
				return "refused gzip still sent"
			}
			return ""
		}},
		{"range", "GET", "/models/unet.w8a8.fedcba9876543210.safetensors", map[string]string{"Range": "bytes=2-4", "Accept-Encoding": "gzip"}, 206, func(w *httptest.ResponseRecorder) string {
			if w.Body.String() != "234" {
				return "range body " + w.Body.String()
			}
			return ""
		}},
		{"healthz", "GET", "/healthz", nil, 200, nil},
		{"missing", "GET", "/nope.js", nil, 404, nil},
		{"traversal", "GET", "/../../etc/passwd", nil, 400, nil},
		{"encoded traversal", "GET", "/%2e%2e/etc/passwd", nil, 400, nil},
		{"compressed variant direct", "GET", "/qdiff.0123456789abcdef.wasm.gz", nil, 404, nil},
		{"dot file", "GET", "/.env", nil, 404, nil},
		{"head", "HEAD", "/app.js", nil, 200, nil},
		{"post", "POST", "/", nil, 405, nil},
		{"delete", "DELETE", "/app.js", nil, 405, nil},
	} {
		w := do(t, h, c.method, c.target, c.hdr)
		if w.Code != c.status {
			t.Errorf("%s: status %d, want %d", c.name, w.Code, c.status)
			continue
		}
		if c.check != nil {
			if msg := c.check(w); msg != "" {
				t.Errorf("%s: %s", c.name, msg)
			}
		}
	}
}

func TestHandler_ETag(t *testing.T) {
	h := New(testSite(), log.New(io.Discard, "", 0))
	w := do(t, h, "GET", "/app.js", nil)
	etag := w.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if w2 := do(t, h, "GET", "/app.js", map[string]string{"If-None-Match": etag}); w2.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", w2.Code)
	}
}

func TestHandler_OversizedBody(t *testing.T) {
	h := New(testSite(), log.New(io.Discard, "", 0))
	r := httptest.NewRequest("GET", "/", strings.NewReader(strings.Repeat("x", 4096)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", w.Code)
	}
}

func TestRun_MissingDir(t *testing.T) {
	if err := run([]string{"-dir", t.TempDir() + "/none"}); err == nil || !strings.Contains(err.Error(), "make site") {
		t.Errorf("got %v", err)
	}
}
