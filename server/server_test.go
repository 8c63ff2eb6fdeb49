package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuf collects log lines from the server's goroutines.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls until cond holds or d has passed.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// writeSite writes files (slash paths) under dir.
func writeSite(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// testConfig is the server's configuration with test timings.
func testConfig(dir string) config {
	return config{dir: dir, access: true, maxConns: 64, progress: 10 * time.Second, drain: 2 * time.Second,
		readHeader: 5 * time.Second, read: 10 * time.Second, idle: 30 * time.Second}
}

// sndbuf makes the server's socket send buffers small, so that a client
// that stops reading blocks the server's writes within a few kilobytes.
type sndbuf struct{ net.Listener }

func (l sndbuf) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(128 << 10) // above the loopback MSS (64 KB): smaller stalls TCP itself
	}
	return c, err
}

type testServer struct {
	*server
	url  string
	logs *syncBuf
	stop func() error
}

// startServer runs the server on a loopback port until the test ends.
func startServer(t *testing.T, cfg config, smallBuffers bool) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if smallBuffers {
		ln = sndbuf{ln}
	}
	logs := &syncBuf{}
	s, err := newServer(cfg, ln, log.New(&lineWriter{out: logs}, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.run(ctx) }()
	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(15 * time.Second):
				stopErr = errors.New("server did not stop")
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	return &testServer{server: s, url: "http://" + ln.Addr().String(), logs: logs, stop: stop}
}

func get(t *testing.T, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// rawRequest sends request text as is (Go's client would clean the path)
// and returns the status line.
func rawRequest(t *testing.T, addr, text string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, text); err != nil {
		return "write: " + err.Error()
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "read: " + err.Error()
	}
	return strings.TrimSpace(line)
}

// TestServer_NothingOutsideTheFolder: a symlink out of the folder, dot
// files and non-site files are not served, even with the folder's own
// symlinks and a repository-like folder.
func TestServer_NothingOutsideTheFolder(t *testing.T) {
	outside := t.TempDir()
	writeSite(t, outside, map[string]string{"secret.js": "SECRET"})
	dir := t.TempDir()
	writeSite(t, dir, map[string]string{"index.html": "<html>hi</html>", "app.js": "APP",
		".env": "TOKEN=1", ".git/config": "[core]", ".git/HEAD": "ref: main", "go.mod": "module x",
		"sub/.hidden.js": "HIDDEN", "sub/ok.js": "OK", ".well/x.js": "DOTDIR"})
	for link, target := range map[string]string{"passwd.txt": "/etc/passwd", "leak.js": filepath.Join(outside, "secret.js"),
		"up.js": "../" + filepath.Base(outside) + "/secret.js", "inside.js": "app.js", "linkdir": outside} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	ts := startServer(t, testConfig(dir), false)
	for path, want := range map[string]int{
		"/": 200, "/app.js": 200, "/sub/ok.js": 200, "/inside.js": 200,
		"/passwd.txt": 404, "/leak.js": 404, "/up.js": 404, "/linkdir/secret.js": 404,
		"/.env": 404, "/.git/config": 404, "/.git/HEAD": 404, "/.%65nv": 404, "/go.mod": 404,
		"/sub/.hidden.js": 404, "/.well/x.js": 404,
	} {
		resp, body := get(t, ts.url+path, nil)
		if resp.StatusCode != want {
			t.Errorf("%s: status %d, want %d", path, resp.StatusCode, want)
		}
		for _, secret := range []string{"root:", "SECRET", "TOKEN", "[core]", "HIDDEN", "DOTDIR", "module x"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s: served %q", path, secret)
			}
		}
	}
	if _, body := get(t, ts.url+"/inside.js", nil); body != "APP" {
		t.Errorf("a symlink inside the folder serves %q", body)
	}
	if !strings.Contains(ts.logs.String(), "not serving leak.js") {
		t.Errorf("the refused symlink is not logged:\n%s", ts.logs.String())
	}
	// -dir . in a repository: no index.html, no server
	repo := t.TempDir()
	writeSite(t, repo, map[string]string{".git/HEAD": "ref: main", "go.mod": "module x", "README.md": "x"})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newServer(testConfig(repo), ln, log.New(io.Discard, "", 0)); err == nil || !strings.Contains(err.Error(), "not a built site") {
		t.Errorf("a repository folder: %v", err)
	}
}

// TestServer_Reload: a folder rebuilt while serving is served whole from
// the new build once it is complete: a new ETag, no 304 for the old one,
// and the new index's hashed files present.
func TestServer_Reload(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir, map[string]string{"index.html": `<script src="app.aaaaaaaaaaaaaaaa.js">`, "app.aaaaaaaaaaaaaaaa.js": "old", "page.js": "v1"})
	cfg := testConfig(dir)
	cfg.reload = 50 * time.Millisecond
	ts := startServer(t, cfg, false)
	r1, _ := get(t, ts.url+"/", nil)
	p1, _ := get(t, ts.url+"/page.js", nil)
	// a rebuild (as `make site`): everything removed, then written anew
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
	writeSite(t, dir, map[string]string{"app.bbbbbbbbbbbbbbbb.js": "new", "page.js": "v2", "index.html": `<script src="app.bbbbbbbbbbbbbbbb.js">`})
	if !waitFor(5*time.Second, func() bool {
		_, body := get(t, ts.url+"/", nil)
		return strings.Contains(body, "bbbb")
	}) {
		t.Fatalf("the new index was never served; logs:\n%s", ts.logs.String())
	}
	r2, _ := get(t, ts.url+"/", map[string]string{"If-None-Match": r1.Header.Get("ETag")})
	p2, body := get(t, ts.url+"/page.js", map[string]string{"If-None-Match": p1.Header.Get("ETag")})
	if r2.StatusCode != 200 || p2.StatusCode != 200 || body != "v2" {
		t.Errorf("after the rebuild, the old ETags get %d and %d (body %q), want 200 and the new content", r2.StatusCode, p2.StatusCode, body)
	}
	if p2.Header.Get("ETag") == p1.Header.Get("ETag") {
		t.Error("changed file kept its ETag")
	}
	if resp, body := get(t, ts.url+"/app.bbbbbbbbbbbbbbbb.js", nil); resp.StatusCode != 200 || body != "new" {
		t.Errorf("the new index's script: %d %q", resp.StatusCode, body)
	}
	// a folder left broken (no index.html) keeps the last good snapshot
	os.Remove(filepath.Join(dir, "index.html"))
	if !waitFor(3*time.Second, func() bool { return strings.Contains(ts.logs.String(), "not reloaded") }) {
		t.Fatalf("a broken folder was not reported; logs:\n%s", ts.logs.String())
	}
	if resp, body := get(t, ts.url+"/", nil); resp.StatusCode != 200 || !strings.Contains(body, "bbbb") {
		t.Errorf("with the folder broken: %d %q", resp.StatusCode, body)
	}
}

// bigSite is a site with a weights-sized file of n bytes.
func bigSite(t *testing.T, n int) (string, []byte) {
	t.Helper()
	dir := t.TempDir()
	big := make([]byte, n)
	for i := range big {
		big[i] = byte(i*7 + i>>11)
	}
	writeSite(t, dir, map[string]string{"index.html": "<html>", "big.0123456789abcdef.safetensors": string(big)})
	return dir, big
}

// slowConn opens a connection with a receive buffer of 128 KB (not the
// several megabytes Linux grows it to) and asks for path.
func slowConn(t *testing.T, addr, path string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).SetReadBuffer(128 << 10)
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
	return c, bufio.NewReaderSize(c, 4<<10)
}

// TestServer_SlowClients: a client reading slowly but steadily gets the
// whole file however long it takes (here about 2.5 progress deadlines); one
// that stops reading is cut after one deadline and logged as cut.
func TestServer_SlowClients(t *testing.T) {
	dir, big := bigSite(t, 1<<20)
	cfg := testConfig(dir)
	cfg.progress = 400 * time.Millisecond
	ts := startServer(t, cfg, true)
	addr := strings.TrimPrefix(ts.url, "http://")
	path := "/big.0123456789abcdef.safetensors"

	c, br := slowConn(t, addr, path)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	var got []byte
	buf := make([]byte, 16<<10)
	for {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := resp.Body.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
		time.Sleep(15 * time.Millisecond) // about 1 MB/s: 1 MB in about 1 s
	}
	took := time.Since(t0)
	if !bytes.Equal(got, big) {
		t.Fatalf("slow reader got %d of %d bytes in %s; logs:\n%s", len(got), len(big), took, ts.logs.String())
	}
	if took < 2*cfg.progress {
		t.Errorf("the slow read took only %s, not over 2 progress deadlines", took)
	}

	c2, br2 := slowConn(t, addr, path)
	if _, err := br2.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	// stop reading: the server's writes stall, its deadline cuts them
	if !waitFor(5*time.Second, func() bool { return strings.Contains(ts.logs.String(), "cut after") }) {
		t.Fatalf("a stalled reader was not cut; logs:\n%s", ts.logs.String())
	}
	c2.Close()
	logs := ts.logs.String()
	if !strings.Contains(logs, `"`+path+`" 200 cut after`) || strings.Count(logs, "cut after") != 1 {
		t.Errorf("want exactly one cut line for the stalled reader:\n%s", logs)
	}
}

// TestServer_IdleConnections: with the cap at 20, 100 keep-alive clients
// that stay idle all get answers (idle ones are shed at the cap), a normal
// request still goes through, and no more than 20 are ever open.
func TestServer_IdleConnections(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir, map[string]string{"index.html": "<html>"})
	cfg := testConfig(dir)
	cfg.maxConns = 20
	cfg.access = false
	ts := startServer(t, cfg, false)
	addr := strings.TrimPrefix(ts.url, "http://")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := 0; i < 100; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("idle client %d got no answer: %v", i, err)
		}
		resp.Body.Close()
	}
	t0 := time.Now()
	c := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(ts.url + "/")
	if err != nil {
		t.Fatalf("a normal request with 100 idle clients: %v", err)
	}
	resp.Body.Close()
	if p := ts.lim.peak.Load(); p > 20 {
		t.Errorf("%d connections open at once, cap 20", p)
	}
	t.Logf("normal request in %s, peak %d connections", time.Since(t0).Round(time.Millisecond), ts.lim.peak.Load())
}

// TestServer_Held: what held before must keep holding: traversal variants
// 400, bad methods 405 with Allow, 64 KB headers 431, 250 ranges, slow
// header clients cut at the header timeout.
func TestServer_Held(t *testing.T) {
	dir, _ := bigSite(t, 100000)
	cfg := testConfig(dir)
	cfg.readHeader = 300 * time.Millisecond
	ts := startServer(t, cfg, false)
	addr := strings.TrimPrefix(ts.url, "http://")
	for _, c := range []struct{ req, want string }{
		{"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", "400"},
		{"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", "400"},
		{"GET /..%5c..%5cetc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", "400"},
		{"GET /index.html%00.js HTTP/1.1\r\nHost: x\r\n\r\n", "400"},
		{"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", "405"},
		{"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 64<<10) + "\r\n\r\n", "431"},
	} {
		if got := rawRequest(t, addr, c.req); !strings.Contains(got, " "+c.want+" ") {
			t.Errorf("%.40q: %s, want %s", c.req, got, c.want)
		}
	}
	req, _ := http.NewRequest("POST", ts.url+"/", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %v %v", resp, err)
	}
	var rs []string
	for i := 0; i < 250; i++ {
		rs = append(rs, fmt.Sprintf("%d-%d", i*10, i*10+4))
	}
	if resp, body := get(t, ts.url+"/big.0123456789abcdef.safetensors", map[string]string{"Range": "bytes=" + strings.Join(rs, ",")}); resp.StatusCode != 206 && resp.StatusCode != 200 && resp.StatusCode != 416 {
		t.Errorf("250 ranges: %d (%d bytes)", resp.StatusCode, len(body))
	}
	// slow header clients: 30 send half a request line and stop
	var wg sync.WaitGroup
	t0 := time.Now()
	errs := make(chan string, 30)
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errs <- err.Error()
				return
			}
			defer c.Close()
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadAll(c); err != nil {
				errs <- "not closed by the server: " + err.Error()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if d := time.Since(t0); d > 3*time.Second {
		t.Errorf("slow header clients cut after %s, header timeout %s", d, cfg.readHeader)
	}
}

// TestServer_Logs: -log=false drops the access lines but not the cut ones;
// lines stay bounded whatever the request.
func TestServer_Logs(t *testing.T) {
	dir := t.TempDir()
	writeSite(t, dir, map[string]string{"index.html": "<html>"})
	cfg := testConfig(dir)
	cfg.access = false
	ts := startServer(t, cfg, false)
	get(t, ts.url+"/", nil)
	if strings.Contains(ts.logs.String(), `"/"`) {
		t.Errorf("-log=false still logs requests:\n%s", ts.logs.String())
	}
	cfg.access = true
	ts = startServer(t, cfg, false)
	get(t, ts.url+"/"+strings.Repeat("x", 12000), nil)
	for _, line := range strings.Split(ts.logs.String(), "\n") {
		if len(line) > maxLoggedURI+200 {
			t.Errorf("%d-byte log line", len(line))
		}
	}
	if !strings.Contains(ts.logs.String(), "404") {
		t.Errorf("the long request is not logged:\n%s", ts.logs.String())
	}
	var out bytes.Buffer
	w := &lineWriter{out: &out}
	fmt.Fprintln(w, strings.Repeat("y", 5000))
	if out.Len() > maxLogLine+40 || !strings.Contains(out.String(), "bytes cut") {
		t.Errorf("lineWriter let %d bytes through", out.Len())
	}
}
