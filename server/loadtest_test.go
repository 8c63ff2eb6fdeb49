package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loadResult is one row of the load report.
type loadResult struct {
	name       string
	conns      int
	reqs, errs int
	bytes      int64
	took       time.Duration
	lat        []time.Duration
	note       string
	firstErr   string
	errsMu     sync.Mutex
	latMu      sync.Mutex
}

func (r *loadResult) fail(msg string) {
	r.errsMu.Lock()
	defer r.errsMu.Unlock()
	r.errs++
	if r.firstErr == "" {
		r.firstErr = msg
	}
}

func (r *loadResult) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	slices.Sort(r.lat)
	return r.lat[min(len(r.lat)-1, int(p*float64(len(r.lat))))]
}

func (r *loadResult) row() string {
	return fmt.Sprintf("| %s | %d | %d | %.0f | %.1f | %s | %s | %d | %s |", r.name, r.conns, r.reqs,
		float64(r.reqs)/r.took.Seconds(), float64(r.bytes)/r.took.Seconds()/1e6,
		r.pct(0.5).Round(10*time.Microsecond), r.pct(0.99).Round(10*time.Microsecond), r.errs, r.note)
}

// hammer runs conns clients that GET path for d, each request's body read
// whole and checked against want (its length, and its bytes when
// identity).
func hammer(base, name, path string, hdr map[string]string, conns int, d time.Duration, want []byte) *loadResult {
	r := &loadResult{name: name, conns: conns}
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	t0 := time.Now()
	end := t0.Add(d)
	var reqs atomic.Int64
	var bytesRead atomic.Int64
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			for time.Now().Before(end) {
				req, _ := http.NewRequest("GET", base+path, nil)
				for k, v := range hdr {
					req.Header.Set(k, v)
				}
				s := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					r.fail(err.Error())
					continue
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat = append(lat, time.Since(s))
				reqs.Add(1)
				bytesRead.Add(int64(len(b)))
				switch {
				case err != nil:
					r.fail(err.Error())
				case resp.StatusCode != 200:
					r.fail(fmt.Sprintf("status %d", resp.StatusCode))
				case resp.Header.Get("Content-Encoding") == "" && want != nil && !bytes.Equal(b, want):
					r.fail(fmt.Sprintf("body of %d bytes differs from the file", len(b)))
				case resp.Header.Get("Content-Length") != fmt.Sprint(len(b)):
					r.fail(fmt.Sprintf("%d bytes, Content-Length %s", len(b), resp.Header.Get("Content-Length")))
				}
			}
			r.latMu.Lock()
			r.lat = append(r.lat, lat...)
			r.latMu.Unlock()
		}()
	}
	wg.Wait()
	r.took = time.Since(t0)
	r.reqs, r.bytes = int(reqs.Load()), bytesRead.Load()
	return r
}

// slowReaders has n clients read path at rate bytes/s each, whole.
func slowReaders(addr, path string, n, rate int, want []byte) *loadResult {
	r := &loadResult{name: fmt.Sprintf("slow readers, %d KB/s each", rate>>10), conns: n}
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := time.Now()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				r.fail(err.Error())
				return
			}
			defer c.Close()
			c.(*net.TCPConn).SetReadBuffer(64 << 10)
			fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
			resp, err := http.ReadResponse(bufio.NewReaderSize(c, 4<<10), nil)
			if err != nil {
				r.fail(err.Error())
				return
			}
			var got []byte
			buf := make([]byte, rate/10)
			for {
				k, err := io.ReadFull(resp.Body, buf)
				got = append(got, buf[:k]...)
				if err != nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			r.latMu.Lock()
			r.lat = append(r.lat, time.Since(s))
			r.bytes += int64(len(got))
			r.reqs++
			r.latMu.Unlock()
			if !bytes.Equal(got, want) {
				r.fail(fmt.Sprintf("got %d of %d bytes", len(got), len(want)))
			}
		}()
	}
	wg.Wait()
	r.took = time.Since(t0)
	r.note = "p50/p99: whole download"
	return r
}

// idleThenServe opens idle keep-alive connections (each made one
// request), then times sequential normal requests while they stay open.
func idleThenServe(addr, base string, idle, reqs int) (*loadResult, int) {
	r := &loadResult{name: fmt.Sprintf("/ with %d idle keep-alive clients", idle), conns: 1}
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	closedByServer := 0
	for i := 0; i < idle; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			r.fail("idle dial: " + err.Error())
			break
		}
		conns = append(conns, c)
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			r.fail("idle client's request: " + err.Error())
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	c := &http.Client{Timeout: 10 * time.Second}
	t0 := time.Now()
	for i := 0; i < reqs; i++ {
		s := time.Now()
		resp, err := c.Get(base + "/")
		if err != nil {
			r.fail(err.Error())
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		r.lat = append(r.lat, time.Since(s))
		r.reqs++
		if resp.StatusCode != 200 {
			r.fail(fmt.Sprintf("status %d", resp.StatusCode))
		}
	}
	r.took = time.Since(t0)
	one := []byte{0}
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(time.Millisecond))
		if _, err := c.Read(one); err == io.EOF {
			closedByServer++
		}
	}
	return r, closedByServer
}

// TestLoad is `make loadtest`: the server on loopback serving a built site
// (QDIFF_LOADTEST names its folder), loaded with bounded runs, a report
// of requests/s, latency and errors for the page, the wasm and the weights,
// then slow readers and idle keep-alive connections. It fails on any error.
func TestLoad(t *testing.T) {
	dir := os.Getenv("QDIFF_LOADTEST")
	if dir == "" {
		t.Skip("QDIFF_LOADTEST=<site folder> runs the load test (make loadtest)")
	}
	d := 5 * time.Second
	cfg := testConfig(dir)
	cfg.access = false
	cfg.drain = 5 * time.Second
	cfg.maxConns = 1024
	ts := startServer(t, cfg, false)
	s, logs := ts.server, ts.logs
	addr := strings.TrimPrefix(ts.url, "http://")
	base := ts.url
	snap := s.folder.cur.Load()
	find := func(re string) (string, []byte) {
		rx := regexp.MustCompile(re)
		for name, f := range snap.files {
			if rx.MatchString(name) {
				return "/" + name, f.data
			}
		}
		t.Fatalf("no file matching %s in %s", re, dir)
		return "", nil
	}
	wasm, wasmData := find(`^qdiff\.[0-9a-f]{16}\.wasm$`)
	w8, w8Data := find(`unet\.w8a8\.[0-9a-f]{16}\.safetensors$`)
	w4, w4Data := find(`unet\.w4a8\.[0-9a-f]{16}\.safetensors$`)
	browser := map[string]string{"Accept-Encoding": "gzip, deflate, br"}
	results := []*loadResult{
		hammer(base, "/ (index.html)", "/", browser, 64, d, snap.files["index.html"].data),
		hammer(base, "/ (index.html)", "/", browser, 256, d, snap.files["index.html"].data),
		hammer(base, "wasm, br", wasm, browser, 16, d, wasmData),
		hammer(base, "wasm, identity", wasm, nil, 16, d, wasmData),
		hammer(base, "W8A8 weights", w8, browser, 16, d, w8Data),
		slowReaders(addr, w4, 8, 64<<10, w4Data),
	}
	idle, closed := idleThenServe(addr, base, 3000, 200)
	idle.note = fmt.Sprintf("%d idle closed by the server at the cap of %d; peak %d open", closed, cfg.maxConns, s.lim.peak.Load())
	results = append(results, idle)
	var b strings.Builder
	fmt.Fprintf(&b, "\nload test on loopback (%s; client and server in one process on a shared machine: ratios, not absolute speed)\n\n", dir)
	fmt.Fprintln(&b, "| case | conns | requests | req/s | MB/s | p50 | p99 | errors | note |")
	fmt.Fprintln(&b, "|---|---|---|---|---|---|---|---|---|")
	total := 0
	for _, r := range results {
		fmt.Fprintln(&b, r.row())
		total += r.errs
		if r.errs > 0 {
			t.Errorf("%s: %d errors, first: %s", r.name, r.errs, r.firstErr)
		}
	}
	fmt.Fprintf(&b, "\ntotal errors: %d\n", total)
	fmt.Print(b.String())
	if strings.Contains(logs.String(), "cut") {
		t.Errorf("responses cut during the load test:\n%s", clip(logs.String(), 4000))
	}
}
