// Command server serves the built qdiff site (pages, wasm, weights) from a
// directory: precompressed gzip/brotli variants by content negotiation,
// ETags, immutable caching of content-hashed files, cross-origin isolation
// and security headers, explicit timeouts and graceful shutdown.
//
//	server -dir dist -addr :8080      (or QDIFF_ADDR, QDIFF_DIR)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
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

func run(args []string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	addr := fs.String("addr", envOr("QDIFF_ADDR", "localhost:8080"), "listen address (env QDIFF_ADDR)")
	dir := fs.String("dir", envOr("QDIFF_DIR", "dist"), "built site directory (env QDIFF_DIR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := os.Stat(*dir)
	if err != nil || !st.IsDir() {
		return fmt.Errorf("site directory %q not found: run `make site` first", *dir)
	}
	logger := log.New(os.Stderr, "", log.LstdFlags)
	srv := &http.Server{
		Addr:              *addr,
		Handler:           New(os.DirFS(*dir), logger),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          logger,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	logger.Printf("serving %s on http://%s", *dir, *addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Printf("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
