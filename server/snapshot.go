package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"mime"
	"path"
	"strings"
	"time"
)

// Limits of a snapshot: the built site is about 25 MB in some 40 files.
const (
	maxSiteBytes = 512 << 20
	maxSiteFiles = 10000
)

// siteTypes are the extensions served; anything else in the folder (go.mod,
// a Makefile, a stray .log) is left out of the snapshot.
var siteTypes = map[string]bool{".html": true, ".js": true, ".mjs": true, ".css": true, ".wasm": true,
	".safetensors": true, ".json": true, ".png": true, ".svg": true, ".ico": true, ".txt": true, ".webmanifest": true}

// compressed are the precompressed variants' extensions and their
// Content-Encoding tokens, in order of preference.
var compressed = []struct{ ext, token string }{{".br", "br"}, {".gz", "gzip"}}

// file is one served file of a snapshot, read once with its ETag.
type file struct {
	data []byte
	etag string // strong: the sha256 prefix of data
	mod  time.Time
}

// snapshot is the site as it was read at one moment: requests are served
// from it alone, so nothing outside it (a symlink out of the folder, a file
// added later, a dot file) can be served, and an ETag always names the
// bytes that go with it.
type snapshot struct {
	files map[string]*file // slash paths without a leading slash; .br/.gz variants under their own names
	bytes int64
	print uint64 // fingerprint of the folder when it was read
}

// hidden reports whether a slash path has a segment starting with a dot
// (/.env, /.git/config, /a/.b): never served.
func hidden(name string) bool {
	for _, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}

// servable reports whether a snapshot keeps the file name.
func servable(name string) bool {
	if hidden(name) {
		return false
	}
	for _, c := range compressed {
		if strings.HasSuffix(name, c.ext) {
			name = strings.TrimSuffix(name, c.ext)
			break
		}
	}
	return siteTypes[path.Ext(name)]
}

// walk visits the servable regular files of fsys (symlinks followed only
// where fsys allows: an os.Root refuses those leaving the folder, and they
// are skipped with a note).
func walk(fsys fs.FS, skipped func(string, error), visit func(name string, info fs.FileInfo) error) error {
	return fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if name == "." {
				return err
			}
			skipped(name, err)
			return nil
		}
		if name != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !servable(name) {
			return nil
		}
		info, err := fs.Stat(fsys, name) // follows a symlink, inside the root only
		if err != nil {
			skipped(name, err)
			return nil
		}
		if !info.Mode().IsRegular() {
			skipped(name, errors.New("not a regular file"))
			return nil
		}
		return visit(name, info)
	})
}

// fingerprint summarizes the servable files' names, sizes and times
// without reading them: the reloader compares it between polls.
func fingerprint(fsys fs.FS) (uint64, error) {
	h := fnv.New64a()
	err := walk(fsys, func(string, error) {}, func(name string, info fs.FileInfo) error {
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00", name, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return h.Sum64(), err
}

// loadSnapshot reads every servable file of fsys into memory and computes
// its ETag. The folder must hold index.html (a built site, not `-dir .`).
func loadSnapshot(fsys fs.FS, skipped func(string, error)) (*snapshot, error) {
	s := &snapshot{files: map[string]*file{}}
	h := fnv.New64a()
	err := walk(fsys, skipped, func(name string, info fs.FileInfo) error {
		if len(s.files) >= maxSiteFiles || s.bytes+info.Size() > maxSiteBytes {
			return fmt.Errorf("more than %d files or %d MB: not a built site", maxSiteFiles, maxSiteBytes>>20)
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		s.files[name] = &file{data: data, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, mod: info.ModTime()}
		s.bytes += int64(len(data))
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00", name, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.files["index.html"] == nil {
		return nil, errors.New("no index.html: not a built site (run `make site` and serve dist)")
	}
	s.print = h.Sum64()
	return s, nil
}

// contentType is the Content-Type of a served name.
func contentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
