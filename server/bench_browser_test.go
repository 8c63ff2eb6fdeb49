package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qdiff/qdiff/models/mnist/mnisttest"

	"github.com/chromedp/chromedp"

	"github.com/qdiff/qdiff/kernels"
	"github.com/qdiff/qdiff/models/bnet"
	"github.com/qdiff/qdiff/site"
)

// BenchmarkBrowser measures, in headless Chromium with the committed
// weights: ms per guided DDIM step per precision (one worker), images per
// second with 1 and 2 workers, the time from navigation to the first
// finished W8A8 image (DDIM 20, warm cache), the binary classifier's µs
// per image and kernel GOPS in a worker.
// Run with `make bench-browser`.
func BenchmarkBrowser(b *testing.B) {
	if _, err := exec.LookPath(chromiumPath()); err != nil {
		b.Skip("chromium not installed")
	}
	out := buildBenchSite(b, 11) // as `make site` builds it: classifier, dialog, brotli 11
	digits := mnisttest.Test(b).Pixels[:256*784]
	h := New(os.DirFS(out), log.New(io.Discard, "", 0))
	cold := coldVisit(b, h)
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx, _ := browser(b)
	run := func(query string) map[string]any {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/?"+query+"&autostart=1")); err != nil {
			b.Fatal(err)
		}
		done, err := waitDone(ctx)
		if err != nil || done["ok"] != true {
			b.Fatalf("%s: %v %v", query, done, err)
		}
		return done
	}
	for b.Loop() {
		fmt.Printf("cold first visit (W8A8, one image), response bytes as sent: %d (%d requests)\n\n", cold.bytes, cold.requests)
		b.ReportMetric(float64(cold.bytes), "bytes-cold-visit")
		if testing.Verbose() {
			fmt.Println(strings.Join(cold.log, "\n"))
		}
		fmt.Println("| Chromium (headless, 1 worker, median of 3) | ms per guided DDIM step |")
		fmt.Println("|---|---|")
		step := map[string]float64{}
		for _, p := range []string{"fp32", "w8a8", "w4a8"} {
			run("precision=" + p + "&n=1&steps=4&workers=1") // download and warm up
			step[p] = median3(func() float64 { return run("precision=" + p + "&n=2&steps=10&seed=3&workers=1")["msPerStep"].(float64) })
			fmt.Printf("| %s | %.1f |\n", p, step[p])
			b.ReportMetric(step[p], "ms/step-"+p)
		}
		fmt.Printf("\nFP32 step / W8A8 step in Chromium: %.2fx\n", step["fp32"]/step["w8a8"])
		printProfiles(b, ctx, []string{"fp32", "w8a8", "w4a8"}, 10)
		for _, w := range []int{1, 2} {
			d := run(fmt.Sprintf("precision=w8a8&n=8&steps=10&seed=5&workers=%d", w))
			ips := 8 / d["seconds"].(float64)
			fmt.Printf("W8A8 DDIM 10, 8 images, %d worker(s): %.2f images/s\n", w, ips)
			b.ReportMetric(ips, fmt.Sprintf("img/s-%dworkers", w))
		}
		var phases []string
		first := median3(func() float64 {
			d := run("precision=w8a8&n=1&steps=20&seed=7&workers=1")
			ph, _ := d["phases"].(map[string]any)
			phases = append(phases, fmt.Sprintf("start %.2f, weights read %.2f, worker ready %.2f, models loaded %.2f, done %.2f",
				ph["start"], ph["weights"], ph["workers"], ph["loaded"], d["sinceLoad"]))
			return d["sinceLoad"].(float64)
		})
		fmt.Printf("navigation to first finished W8A8 image (DDIM 20, warm cache): %.2f s\n", first)
		fmt.Printf("  phases (s since navigation) of the three runs:\n  %s\n", strings.Join(phases, "\n  "))
		b.ReportMetric(first, "s-first-image")
		fmt.Println("\n| binary classifier in Chromium (worker), one image at a time | µs/image |\n|---|---|")
		for _, c := range []struct {
			name string
			px   []uint8
		}{{"256 MNIST test digits", digits}, {"256 dense synthetic images", bnet.DenseImages(256)}} {
			us, err := chromedp.Run(ctx, chromedp.Evaluate[float64](
				fmt.Sprintf(`window.qdiff.benchClassify(%s, 5)`, jsBytes(c.px)), chromedp.EvalAwaitPromise))
			if err != nil {
				b.Fatal(err)
			}
			fmt.Printf("| %s | %.1f |\n", c.name, us)
			b.ReportMetric(us, "us/image-bnet-"+strings.Fields(c.name)[1])
		}
		fmt.Println("\n| kernel in Chromium (worker) | shape | GOPS |\n|---|---|---|")
		// the plain kernels beside the engine's (gemm_i8 / gemm_i8p, the
		// unprepared conv_i8u / conv_i8 on prepared panels), every
		// benchmark shape
		for _, name := range []string{"gemm_i8", "gemm_i8p", "gemm_w4", "gemm_w4p", "conv_i8u", "conv_i8", "gemm_b1", "gemm_f32", "gemm_f32t", "groupnorm_f32", "groupnorm_silu_f32"} {
			op, _ := kernels.Lookup(name)
			for bi, dims := range op.Bench {
				r, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](
					fmt.Sprintf(`window.qdiff.bench(%q, %v, 20)`, name, jsInts(dims)), chromedp.EvalAwaitPromise))
				if err != nil {
					b.Fatal(err)
				}
				gops := r["ops"] / (r["ms"] / 1000) / 1e9
				fmt.Printf("| %s | %v | %.2f |\n", name, dims, gops)
				if bi == 0 {
					b.ReportMetric(gops, "GOPS-"+name)
				}
			}
		}
	}
}

// browserProfile is window.qdiff.profile's result (wasm qdiffProfile).
type browserProfile struct {
	Steps, Forwards int
	Kinds           []struct {
		Name string
		Ms   float64
	}
	Layers []struct {
		Name    string
		Ms, Ops float64
		Calls   int
	}
}

// printProfiles prints, per precision, where a guided step's time goes in
// a Chromium worker: per kind of work and per conv/linear layer, in ms per
// guided step (reps steps profiled after one warm-up step).
func printProfiles(b *testing.B, ctx context.Context, precs []string, reps int) {
	prof := map[string]browserProfile{}
	for _, p := range precs {
		r, err := chromedp.Run(ctx, chromedp.Evaluate[browserProfile](fmt.Sprintf(`window.qdiff.profile(%q, %d)`, p, reps), chromedp.EvalAwaitPromise))
		if err != nil {
			b.Fatal(err)
		}
		if r.Steps != reps || len(r.Layers) == 0 {
			b.Fatalf("%s: profile of %d steps with %d layers", p, r.Steps, len(r.Layers))
		}
		prof[p] = r
	}
	per := func(p string, ms float64) float64 { return ms / float64(prof[p].Steps) }
	fmt.Printf("\n| Chromium worker, ms per guided step (%d steps) | %s |\n|---|%s\n", reps, strings.Join(precs, " | "), strings.Repeat("---|", len(precs)))
	for i, k := range prof[precs[0]].Kinds {
		fmt.Printf("| %s |", k.Name)
		for _, p := range precs {
			fmt.Printf(" %.2f |", per(p, prof[p].Kinds[i].Ms))
		}
		fmt.Println()
	}
	fmt.Printf("\n| layer (calls per step) | %s |\n|---|%s\n", strings.Join(precs, " ms (GOPS) | ")+" ms (GOPS)", strings.Repeat("---|", len(precs)))
	for i, l := range prof[precs[0]].Layers {
		fmt.Printf("| %s (%d) |", l.Name, l.Calls/reps)
		for _, p := range precs {
			if i >= len(prof[p].Layers) {
				fmt.Print(" - |")
				continue
			}
			m := prof[p].Layers[i]
			fmt.Printf(" %.3f (%.1f) |", per(p, m.Ms), m.Ops/(m.Ms/1000)/1e9)
		}
		fmt.Println()
	}
}

// buildBenchSite builds the site with the committed weights of every
// precision, the classifier and the dialog into a temporary folder, with
// brotli at the given quality (0: none), and returns the folder.
func buildBenchSite(b *testing.B, brotli int) string {
	models := map[string]string{}
	for _, p := range []string{"fp32", "w8a8", "w4a8"} {
		f := "../models/zoo/unet." + p + ".safetensors"
		if p == "fp32" {
			f = "../models/zoo/unet.engine-fp32.safetensors"
		}
		if _, err := os.Stat(f); err != nil {
			b.Skipf("no %s", f)
		}
		models[p] = f
	}
	out := filepath.Join(b.TempDir(), "dist")
	opt := site.BuildOptions{Out: out, Models: models, Brotli: brotli,
		Classifier: "../models/zoo/bnet.safetensors", Dialog: "../models/zoo/dialog-bnet.safetensors"}
	if _, err := site.Build(context.Background(), opt); err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkBrowserProfile prints where a guided step's time goes in a
// Chromium worker, per kind of work and per conv/linear layer, for each
// precision (the same table as BenchmarkBrowser's). Run with
// `make profile-browser`.
func BenchmarkBrowserProfile(b *testing.B) {
	if _, err := exec.LookPath(chromiumPath()); err != nil {
		b.Skip("chromium not installed")
	}
	out := buildBenchSite(b, 0)
	srv := httptest.NewServer(New(os.DirFS(out), log.New(io.Discard, "", 0)))
	defer srv.Close()
	ctx, _ := browser(b)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		printProfiles(b, ctx, []string{"fp32", "w8a8", "w4a8"}, 20)
	}
}

func jsBytes(px []uint8) string {
	v := make([]int, len(px))
	for i, p := range px {
		v[i] = int(p)
	}
	return jsInts(v)
}

// median3 returns the median of three measurements.
func median3(f func() float64) float64 {
	v := []float64{f(), f(), f()}
	slices.Sort(v)
	return v[1]
}

type coldResult struct {
	bytes, requests int64
	log             []string
}

// coldVisit opens the page in a fresh browser profile with the default
// settings, generates one W8A8 image, and counts the response bytes the
// server wrote (bodies as sent, compressed; headers not counted).
func coldVisit(b *testing.B, h http.Handler) coldResult {
	return coldVisitOf(b, h, "/?precision=w8a8&n=1&steps=10&autostart=1", `window.qdiff && window.qdiff.done && window.qdiff.done.ok`)
}

// coldVisitOf counts the bytes of a cold visit of path, until the
// JavaScript expression done is true (and a second more). It serves plain
// HTTP on loopback, a secure context where Chromium still asks for brotli
// and runs the service worker: over HTTPS with an ignored certificate
// Chromium keeps nothing in its HTTP cache, so the service worker's store
// of the shell and the wasm went to the network a second time (2.73 MB in
// 24 requests instead of 1.91 MB in 16), which a real visitor's browser
// answers from its HTTP cache.
func coldVisitOf(b testing.TB, h http.Handler, path, done string) coldResult {
	var bytes, reqs atomic.Int64
	var mu sync.Mutex
	var lines []string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqs.Add(1)
		var n atomic.Int64
		cw := countingWriter{w, &n}
		h.ServeHTTP(cw, r)
		bytes.Add(n.Load())
		mu.Lock()
		lines = append(lines, fmt.Sprintf("%s %s %s: %d bytes", r.Method, r.URL.Path, w.Header().Get("Content-Encoding"), n.Load()))
		mu.Unlock()
	}))
	srv.Start()
	defer srv.Close()
	ctx, _ := browser(b)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path)); err != nil {
		b.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[any](done, chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(3*time.Minute))); err != nil {
		b.Fatalf("cold visit of %s: %v", path, err)
	}
	time.Sleep(time.Second) // late requests, if any
	mu.Lock()
	defer mu.Unlock()
	return coldResult{bytes.Load(), reqs.Load(), lines}
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

func (c countingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
