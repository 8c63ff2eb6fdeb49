package main

import (
	"fmt"
	"log"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds of what a request can put in the log.
const (
	maxLoggedURI = 256
	maxLogLine   = 1024
)

// writeChunk is the most one Write sends under one progress deadline.
const writeChunk = 32 << 10

type logOptions struct {
	access   bool          // one line per request
	progress time.Duration // per-write progress deadline; 0: none
}

// request is one request in flight, for the access log and the shutdown
// report.
type request struct {
	start   time.Time
	line    string // remote method "uri"
	n, want atomic.Int64
}

// accessLog wraps a handler: it gives every write a progress deadline,
// counts the bytes, logs one bounded line per request (or none with
// -log=false) and marks a response that did not go out whole as cut.
type accessLog struct {
	next http.Handler
	log  *log.Logger
	opt  logOptions

	mu       sync.Mutex
	inflight map[*request]struct{}
	wg       sync.WaitGroup
}

func newAccessLog(next http.Handler, logger *log.Logger, opt logOptions) *accessLog {
	return &accessLog{next: next, log: logger, opt: opt, inflight: map[*request]struct{}{}}
}

// respWriter counts and times a response's writes.
type respWriter struct {
	http.ResponseWriter
	rc       *http.ResponseController
	progress time.Duration
	req      *request
	status   int
	err      error
}

func (w *respWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *respWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
		if n, err := strconv.ParseInt(w.Header().Get("Content-Length"), 10, 64); err == nil {
			w.req.want.Store(n)
		}
	}
	w.ResponseWriter.WriteHeader(s)
}

// deadline gives the next write progress seconds to complete: an honest
// slow client keeps up (32 KB per 10 s is 3.2 KB/s), one that stops
// reading is cut, however long the whole download takes.
func (w *respWriter) deadline() {
	if w.progress > 0 {
		w.rc.SetWriteDeadline(time.Now().Add(w.progress)) // not supported by recorders: then no deadline
	}
}

func (w *respWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	total := 0
	for len(b) > 0 {
		c := b[:min(len(b), writeChunk)]
		w.deadline()
		n, err := w.ResponseWriter.Write(c)
		total += n
		w.req.n.Add(int64(n))
		if err != nil {
			if w.err == nil {
				w.err = err
			}
			return total, err
		}
		b = b[len(c):]
	}
	return total, nil
}

func (a *accessLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &request{start: time.Now(), line: fmt.Sprintf("%s %s %q", r.RemoteAddr, r.Method, clip(r.URL.RequestURI(), maxLoggedURI))}
	req.want.Store(-1)
	a.mu.Lock()
	a.inflight[req] = struct{}{}
	a.wg.Add(1)
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		delete(a.inflight, req)
		a.mu.Unlock()
		a.wg.Done()
	}()
	sw := &respWriter{ResponseWriter: w, rc: http.NewResponseController(w), progress: a.opt.progress, req: req}
	sw.deadline() // also covers a response without a body; resets the previous request's deadline
	a.next.ServeHTTP(sw, r)
	if sw.status == 0 {
		sw.status = http.StatusOK
	}
	n, want := req.n.Load(), req.want.Load()
	cut := sw.err != nil || (r.Method != http.MethodHead && want >= 0 && n < want)
	switch {
	case cut:
		reason := "client gone"
		if sw.err != nil {
			reason = clip(sw.err.Error(), 160)
		}
		a.log.Printf("%s %d cut after %dB of %dB %s (%s)", req.line, sw.status, n, want, time.Since(req.start).Round(time.Millisecond), reason)
	case a.opt.access:
		a.log.Printf("%s %d %dB %s", req.line, sw.status, n, time.Since(req.start).Round(time.Microsecond))
	}
}

// inFlight describes the requests not finished, oldest first.
func (a *accessLog) inFlight() []string {
	a.mu.Lock()
	reqs := make([]*request, 0, len(a.inflight))
	for r := range a.inflight {
		reqs = append(reqs, r)
	}
	a.mu.Unlock()
	slices.SortFunc(reqs, func(x, y *request) int { return x.start.Compare(y.start) })
	var out []string
	for _, r := range reqs {
		out = append(out, fmt.Sprintf("%s after %s, %dB of %dB sent", r.line, time.Since(r.start).Round(time.Millisecond), r.n.Load(), r.want.Load()))
	}
	return out
}

// wait waits up to d for the handlers in flight to return.
func (a *accessLog) wait(d time.Duration) bool {
	done := make(chan struct{})
	go func() { a.wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// lineWriter bounds every log line (log.Logger writes a line per call).
type lineWriter struct {
	mu  sync.Mutex
	out interface{ Write([]byte) (int, error) }
}

func (w *lineWriter) Write(b []byte) (int, error) {
	n := len(b)
	if len(b) > maxLogLine {
		b = append(append([]byte(nil), b[:maxLogLine]...), fmt.Sprintf("...(%d bytes cut)\n", n-maxLogLine)...)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.out.Write(b); err != nil {
		return 0, err
	}
	return n, nil
}
