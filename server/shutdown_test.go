package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain_SIGTERM builds the server, starts a download that stalls, sends
// SIGTERM: the server drains for -drain, logs the request still in flight,
// cuts it and exits 0. A finished request before it is not reported.
func TestMain_SIGTERM(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir, _ := bigSite(t, 16<<20) // more than the socket buffers hold
	cmd := exec.Command(bin, "-dir", dir, "-addr", "127.0.0.1:0", "-drain", "500ms", "-reload", "0")
	var stderr bytes.Buffer
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(pr)
	addrRe := regexp.MustCompile(`on http://(127\.0\.0\.1:\d+)`)
	var addr string
	for addr == "" && lines.Scan() {
		stderr.WriteString(lines.Text() + "\n")
		if m := addrRe.FindStringSubmatch(lines.Text()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatalf("no address in the log:\n%s", stderr.String())
	}
	rest := make(chan string, 1)
	go func() {
		var b strings.Builder
		for lines.Scan() {
			b.WriteString(lines.Text() + "\n")
		}
		rest <- b.String()
	}()
	if got := rawRequest(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); !strings.Contains(got, " 200 ") {
		t.Fatalf("GET /: %s", got)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(128 << 10)
	fmt.Fprintf(c, "GET /big.0123456789abcdef.safetensors HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := bufio.NewReader(c).ReadString('\n'); err != nil { // the download has started; now it stalls
		t.Fatal(err)
	}
	t0 := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("no exit 10 s after SIGTERM")
	}
	logs := stderr.String() + <-rest
	if err != nil {
		t.Errorf("exit: %v\n%s", err, logs)
	}
	if d := time.Since(t0); d < 500*time.Millisecond || d > 5*time.Second {
		t.Errorf("exited %s after SIGTERM, drain 500ms", d)
	}
	for _, want := range []string{`in flight at the shutdown deadline, cut: 127.0.0.1`, `"/big.0123456789abcdef.safetensors" 200 cut after`, "stopped"} {
		if !strings.Contains(logs, want) {
			t.Errorf("no %q in the log:\n%s", want, logs)
		}
	}
	if strings.Count(logs, "in flight at the shutdown deadline") != 1 {
		t.Errorf("want one request reported in flight:\n%s", logs)
	}
}
