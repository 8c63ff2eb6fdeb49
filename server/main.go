// Command server serves the built qdiff site (pages, wasm, weights) from a
// snapshot of its folder held in memory: precompressed gzip/brotli variants
// by content negotiation, ETags computed once per snapshot, immutable
// caching of content-hashed files, cross-origin isolation and security
// headers. The snapshot holds the folder's site files only (no dot files,
// no symlink leaving the folder) and is replaced whole when the folder
// changes. Writes have a progress deadline rather than a total one,
// connections are capped (idle ones shed first), and a shutdown drains,
// then reports what it had to cut.
//
//	server -dir dist -addr :8080      (or QDIFF_ADDR, QDIFF_DIR; -h for all flags)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// config is the server's settings; the flags set them.
type config struct {
	addr, dir               string
	access                  bool
	maxConns                int
	reload, progress, drain time.Duration
	readHeader, read, idle  time.Duration
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.StringVar(&c.addr, "addr", envOr("QDIFF_ADDR", "localhost:8080"), "listen address (env QDIFF_ADDR)")
	fs.StringVar(&c.dir, "dir", envOr("QDIFF_DIR", "dist"), "built site folder (env QDIFF_DIR)")
	fs.BoolVar(&c.access, "log", true, "log one line per request (errors, cut responses and shutdown are always logged)")
	fs.IntVar(&c.maxConns, "max-conns", 1024, "connections open at once; at the cap idle keep-alive connections are closed first")
	fs.DurationVar(&c.reload, "reload", 2*time.Second, "how often to look for changes in the folder (0: never; a change is served once the folder is unchanged for one more look)")
	fs.DurationVar(&c.progress, "write-progress", 10*time.Second, "longest wait for one 32 KB write to a client (a client reading under 3.2 KB/s is cut)")
	fs.DurationVar(&c.drain, "drain", 10*time.Second, "on SIGTERM/SIGINT, how long requests in flight may finish")
	fs.DurationVar(&c.idle, "idle", 30*time.Second, "keep-alive idle timeout")
	c.readHeader, c.read = 5*time.Second, 10*time.Second
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case c.maxConns < 1:
		return c, fmt.Errorf("-max-conns %d: want at least 1", c.maxConns)
	case c.reload < 0 || c.progress <= 0 || c.drain <= 0 || c.idle <= 0:
		return c, fmt.Errorf("-reload must not be negative; -write-progress, -drain and -idle must be positive")
	}
	return c, nil
}

func run(args []string) error {
	cfg, err := parseFlags(args)
	if err != nil {
		return err
	}
	logger := log.New(&lineWriter{out: os.Stderr}, "", log.LstdFlags)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if st, err := os.Stat(cfg.dir); err != nil || !st.IsDir() {
		return fmt.Errorf("site folder %q not found: run `make site` first", cfg.dir)
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, ln, logger)
}

// server is the site's HTTP server on one listener.
type server struct {
	cfg    config
	log    *log.Logger
	folder *folder
	access *accessLog
	http   *http.Server
	lim    *limitListener
}

// newServer loads the folder's first snapshot and prepares the server on ln.
func newServer(cfg config, ln net.Listener, logger *log.Logger) (*server, error) {
	f, err := newSite(openDir(cfg.dir), logger)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("site folder %q: %w", cfg.dir, err)
	}
	s := &server{cfg: cfg, log: logger, folder: f}
	s.access = newAccessLog(&Handler{site: f, log: logger}, logger, logOptions{access: cfg.access, progress: cfg.progress})
	s.http = &http.Server{
		Handler:           s.access,
		ReadHeaderTimeout: cfg.readHeader,
		ReadTimeout:       cfg.read,
		// no WriteTimeout: it caps a whole response, and cut a 4.5 MB
		// download at 32 KB/s; each write has its own deadline instead
		IdleTimeout:    cfg.idle,
		MaxHeaderBytes: 16 << 10,
		ErrorLog:       logger,
	}
	s.lim = newLimitListener(ln, cfg.maxConns, func() {
		// closes the idle keep-alive connections now
		s.http.SetKeepAlivesEnabled(false)
		s.http.SetKeepAlivesEnabled(true)
	})
	return s, nil
}

// serve serves the site on ln until ctx ends, then drains: requests still
// running when the drain ends are logged, cut, and serve returns nil.
func serve(ctx context.Context, cfg config, ln net.Listener, logger *log.Logger) error {
	s, err := newServer(cfg, ln, logger)
	if err != nil {
		return err
	}
	return s.run(ctx)
}

func (s *server) run(ctx context.Context) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if s.cfg.reload > 0 {
		go s.folder.watch(wctx, s.cfg.reload)
	}
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.lim) }()
	snap := s.folder.cur.Load()
	s.log.Printf("serving %s (%d files, %d bytes) on http://%s", s.cfg.dir, len(snap.files), snap.bytes, s.lim.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Printf("shutting down: in-flight requests have %s to finish", s.cfg.drain)
	sctx, scancel := context.WithTimeout(context.Background(), s.cfg.drain)
	defer scancel()
	if err := s.http.Shutdown(sctx); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		for _, r := range s.access.inFlight() {
			s.log.Printf("in flight at the shutdown deadline, cut: %s", r)
		}
		s.http.Close()
		s.access.wait(2 * time.Second) // their access-log lines (marked cut) come out
	}
	s.log.Printf("stopped")
	return nil
}
