package main

import (
	"context"
	"fmt"
	"io/fs"
	"log"
	"os"
	"sync/atomic"
	"time"
)

// folder holds the snapshot being served and replaces it, whole, when the
// folder changes: a request sees one snapshot from start to end, so an
// index and the hashed files it names always come from the same build.
type folder struct {
	cur  atomic.Pointer[snapshot]
	open func() (fs.FS, func(), error)
	log  *log.Logger
	// lastErr is the last failed reload's message (the watcher's own), so
	// that a folder left broken is reported once, not at every poll
	lastErr string
}

// openDir opens dir as an os.Root on every call: `make site` removes and
// recreates the folder, and a Root opened once would keep the old one.
// The Root refuses symlinks that leave the folder.
func openDir(dir string) func() (fs.FS, func(), error) {
	return func() (fs.FS, func(), error) {
		r, err := os.OpenRoot(dir)
		if err != nil {
			return nil, nil, err
		}
		return r.FS(), func() { r.Close() }, nil
	}
}

// newSite loads the first snapshot; an error here stops the server.
func newSite(open func() (fs.FS, func(), error), logger *log.Logger) (*folder, error) {
	s := &folder{open: open, log: logger}
	snap, err := s.load()
	if err != nil {
		return nil, err
	}
	s.cur.Store(snap)
	return s, nil
}

// fixedSite serves one snapshot of fsys forever (tests, embedded use).
func fixedSite(fsys fs.FS, logger *log.Logger) (*folder, error) {
	return newSite(func() (fs.FS, func(), error) { return fsys, func() {}, nil }, logger)
}

func (s *folder) load() (*snapshot, error) {
	fsys, done, err := s.open()
	if err != nil {
		return nil, err
	}
	defer done()
	return loadSnapshot(fsys, func(name string, err error) {
		s.log.Printf("not serving %s: %s", clip(name, 200), clip(err.Error(), 200))
	})
}

// poll compares the folder with the snapshot once. A change is loaded
// only when two polls in a row saw the same folder (a build has finished
// writing), and swapped in only when the folder did not change while it
// was read. pending is the fingerprint seen at the previous poll.
func (s *folder) poll(pending uint64) uint64 {
	fsys, done, err := s.open()
	if err != nil {
		return 0 // the folder is gone for now (`rm -rf dist`): keep serving
	}
	fp, err := fingerprint(fsys)
	done()
	cur := s.cur.Load()
	if err != nil || fp == cur.print {
		return 0
	}
	if fp != pending {
		return fp
	}
	snap, err := s.load()
	if err != nil {
		if err.Error() != s.lastErr {
			s.log.Printf("folder changed but not reloaded, still serving the previous snapshot: %s", clip(err.Error(), 300))
		}
		s.lastErr = err.Error()
		return 0
	}
	s.lastErr = ""
	if snap.print != fp {
		return snap.print
	}
	s.cur.Store(snap)
	s.log.Printf("reloaded: %d files, %d bytes", len(snap.files), snap.bytes)
	return 0
}

// watch polls every interval until ctx ends.
func (s *folder) watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	var pending uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pending = s.poll(pending)
		}
	}
}

// clip shortens s for a log line.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s...(%d bytes)", s[:n], len(s))
}
