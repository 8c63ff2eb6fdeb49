package main

import (
	"bytes"
	"io"
	"io/fs"
	"log"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
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

// Handler serves a built site from its current snapshot.
type Handler struct {
	site *folder
	log  *log.Logger
}

// New returns the site handler, with access logging, serving one
// snapshot of fsys read now. A folder that is not a site (no index.html)
// gets 503 for every request, and the reason is logged.
func New(fsys fs.FS, logger *log.Logger) http.Handler {
	s, err := fixedSite(fsys, logger)
	if err != nil {
		logger.Printf("site: %v", err)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
		})
	}
	return newAccessLog(&Handler{site: s, log: logger}, logger, logOptions{access: true})
}

func (h *Handler) fail(w http.ResponseWriter, status int) {
	http.Error(w, http.StatusText(status), status)
}

// resolve maps a request path to a snapshot name: "/" and folders to
// their index.html, an extensionless name to its .html page (/embed).
func resolve(snap *snapshot, p string) (string, bool) {
	name := strings.TrimPrefix(path.Clean("/"+p), "/")
	if name == "" {
		name = "index.html"
	} else if _, ok := snap.files[name]; !ok {
		if f, ok := snap.files[path.Join(name, "index.html")]; ok && f != nil {
			name = path.Join(name, "index.html")
		} else if path.Ext(name) == "" {
			name += ".html"
		}
	}
	if _, ok := snap.files[name]; !ok {
		return "", false
	}
	for _, c := range compressed {
		if strings.HasSuffix(name, c.ext) {
			return "", false // variants are reached by negotiation only
		}
	}
	return name, true
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
	if hidden(strings.TrimPrefix(r.URL.Path, "/")) {
		h.fail(w, http.StatusNotFound) // /.env, /.git/config: never in a snapshot, never served
		return
	}
	snap := h.site.cur.Load()
	name, ok := resolve(snap, r.URL.Path)
	if !ok {
		h.fail(w, http.StatusNotFound)
		return
	}
	hd.Set("Content-Type", contentType(name))
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
	f := snap.files[name]
	// precompressed variants, never for range requests
	if r.Header.Get("Range") == "" {
		var have []string
		for _, c := range compressed {
			if snap.files[name+c.ext] != nil {
				have = append(have, c.token)
			}
		}
		if enc := negotiate(r.Header.Get("Accept-Encoding"), have); enc != "" {
			for _, c := range compressed {
				if c.token == enc {
					f = snap.files[name+c.ext]
				}
			}
			hd.Set("Content-Encoding", enc)
			// ServeContent leaves the length out when an encoding is set
			// (it allows for on-the-fly compression); these bytes are
			// final, so say it, and a cut response is known as cut
			hd.Set("Content-Length", strconv.Itoa(len(f.data)))
		}
	}
	hd.Set("ETag", f.etag)
	http.ServeContent(w, r, name, f.mod, bytes.NewReader(f.data))
}
