package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"log"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"
)

// maxRequestBody is the largest request body accepted (the site takes none).
const maxRequestBody = 1 << 10

// hashed matches content-hashed file names: name.<16 hex>.ext
var hashed = regexp.MustCompile(`\.[0-9a-f]{16}\.[a-z0-9]+$`)

// csp allows the page's own scripts, wasm compilation, workers and data:
// images (canvas downloads); nothing from other origins.
const csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; " +
	"img-src 'self' data: blob:; style-src 'self'; connect-src 'self'; frame-ancestors *; base-uri 'none'; form-action 'none'"

func init() {
	mime.AddExtensionType(".wasm", "application/wasm")
	mime.AddExtensionType(".safetensors", "application/octet-stream")
	mime.AddExtensionType(".mjs", "text/javascript")
}

// Handler serves a built site from an fs.FS.
type Handler struct {
	fsys  fs.FS
	log   *log.Logger
	mu    sync.Mutex
	etags map[string]string
}

// New returns the site handler with access logging.
func New(fsys fs.FS, logger *log.Logger) http.Handler {
	h := &Handler{fsys: fsys, log: logger, etags: map[string]string{}}
	return h.accessLog(h)
}

type statusWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *statusWriter) WriteHeader(s int) { w.status = s; w.ResponseWriter.WriteHeader(s) }
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

func (h *Handler) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		h.log.Printf("%s %s %q %d %dB %s", r.RemoteAddr, r.Method, r.URL.RequestURI(), sw.status, sw.n, time.Since(t0).Round(time.Microsecond))
	})
}

func (h *Handler) fail(w http.ResponseWriter, status int) {
	http.Error(w, http.StatusText(status), status)
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Embedder-Policy", "require-corp")
	hd.Set("Cross-Origin-Resource-Policy", "cross-origin")
	hd.Set("Referrer-Policy", "no-referrer")
	if r.URL.Path == "/healthz" {
		hd.Set("Content-Type", "text/plain; charset=utf-8")
		hd.Set("Cache-Control", "no-store")
		io.WriteString(w, "ok\n")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		h.fail(w, http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength > maxRequestBody {
		h.fail(w, http.StatusRequestEntityTooLarge)
		return
	}
	if strings.Contains(r.URL.Path, "..") || strings.ContainsRune(r.URL.Path, 0) || strings.Contains(r.URL.Path, "\\") {
		h.fail(w, http.StatusBadRequest)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	} else if st, err := fs.Stat(h.fsys, name); err == nil && st.IsDir() {
		name = path.Join(name, "index.html")
	} else if err != nil && path.Ext(name) == "" {
		name += ".html" // /embed serves embed.html
	}
	st, err := fs.Stat(h.fsys, name)
	if err != nil || st.IsDir() || strings.HasSuffix(name, ".gz") || strings.HasSuffix(name, ".br") {
		h.fail(w, http.StatusNotFound)
		return
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	hd.Set("Content-Type", ctype)
	if strings.HasSuffix(name, ".html") {
		hd.Set("Content-Security-Policy", csp)
	} else {
		// scripts, wasm, weights and the manifest are public: other origins
		// may fetch them (the <qdiff-generator> element on their pages)
		hd.Set("Access-Control-Allow-Origin", "*")
	}
	if hashed.MatchString(name) {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	hd.Add("Vary", "Accept-Encoding")
	serve, enc := name, ""
	// precompressed variants, never for range requests
	if r.Header.Get("Range") == "" {
		ae := r.Header.Get("Accept-Encoding")
		for _, c := range []struct{ ext, token string }{{".br", "br"}, {".gz", "gzip"}} {
			if acceptsEncoding(ae, c.token) {
				if _, err := fs.Stat(h.fsys, name+c.ext); err == nil {
					serve, enc = name+c.ext, c.token
					break
				}
			}
		}
	}
	f, err := h.fsys.Open(serve)
	if err != nil {
		h.log.Printf("open %s: %v", serve, err)
		h.fail(w, http.StatusInternalServerError)
		return
	}
	defer f.Close()
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		h.log.Printf("%s is not seekable", serve)
		h.fail(w, http.StatusInternalServerError)
		return
	}
	etag, err := h.etag(serve, rs)
	if err != nil {
		h.log.Printf("etag %s: %v", serve, err)
		h.fail(w, http.StatusInternalServerError)
		return
	}
	if enc != "" {
		hd.Set("Content-Encoding", enc)
	}
	hd.Set("ETag", etag)
	mod := time.Time{}
	if s2, err := fs.Stat(h.fsys, serve); err == nil {
		mod = s2.ModTime()
	}
	http.ServeContent(w, r, name, mod, rs)
}

// etag is a strong validator: the sha256 prefix of the served bytes.
func (h *Handler) etag(name string, rs io.ReadSeeker) (string, error) {
	h.mu.Lock()
	e, ok := h.etags[name]
	h.mu.Unlock()
	if ok {
		return e, nil
	}
	s := sha256.New()
	if _, err := io.Copy(s, rs); err != nil {
		return "", err
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	e = `"` + hex.EncodeToString(s.Sum(nil)[:12]) + `"`
	h.mu.Lock()
	h.etags[name] = e
	h.mu.Unlock()
	return e, nil
}

// acceptsEncoding reports whether an Accept-Encoding header allows token
// (q=0 refuses it).
func acceptsEncoding(header, token string) bool {
	for _, part := range strings.Split(header, ",") {
		f := strings.Split(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(f[0]), token) && strings.TrimSpace(f[0]) != "*" {
			continue
		}
		refused := false
		for _, p := range f[1:] {
			p = strings.ReplaceAll(strings.TrimSpace(p), " ", "")
			if p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000" {
				refused = true
			}
		}
		return !refused
	}
	return false
}
