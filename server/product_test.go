package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image/png"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/qdiff/qdiff/site"
)

// axePath is axe-core's browser build, installed by `make axe` (the
// version is pinned in the Makefile); QDIFF_AXE overrides it.
func axePath() string {
	if p := os.Getenv("QDIFF_AXE"); p != "" {
		return p
	}
	return "../build/npm/axe/node_modules/axe-core/axe.min.js"
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeCheck loads axe-core into the page from the local file (never from
// the network) and fails the test for every violation of impact serious
// or critical.
func axeCheck(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	src, err := os.ReadFile(axePath())
	if err != nil {
		t.Fatalf("axe-core is not installed (%v): run `make axe`", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](string(src)+"\n;undefined")); err != nil {
		t.Fatalf("%s: loading axe-core: %v", where, err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
  .filter((v) => v.impact === 'serious' || v.impact === 'critical')
  .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 4).map((n) => JSON.stringify(n.target) + ' ' + n.html.slice(0, 160)) })))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", where, err)
	}
	for _, v := range vs {
		t.Errorf("%s: axe %s (%s): %s\n  %s", where, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
	}
	t.Logf("%s: axe-core found %d serious or critical violations", where, len(vs))
}

// colorScheme emulates prefers-color-scheme (dark or light).
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	})
}

func poll(ctx context.Context, expr string, timeout time.Duration) error {
	_, err := chromedp.Run(ctx, chromedp.Poll[any](expr, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	return err
}

// elementsDone is true once every <qdiff-generator> that starts by itself
// has a result or shows an error (the test site has no W4A8 model).
const elementsDone = `[...document.querySelectorAll('qdiff-generator:not([start=click])')].every((e) => e.result || e.error)`

// TestE2E_Accessibility runs axe-core on /, /docs and /embed before and
// after a generation (the page in light and dark), and checks that the
// docs' FP32 demo fetches its weights only when asked.
func TestE2E_Accessibility(t *testing.T) {
	srv, _ := e2eSite(t)
	ctx, consoleErrors := browser(t)
	// /docs first: nothing is cached yet, so its FP32 weights would show as fetched
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/docs"), chromedp.WaitVisible(`#embed`)); err != nil {
		t.Fatal(err)
	}
	axeCheck(t, ctx, "/docs before")
	if err := poll(ctx, elementsDone, 2*time.Minute); err != nil {
		t.Fatalf("docs demos: %v", err)
	}
	axeCheck(t, ctx, "/docs after")
	const fp32Fetched = `performance.getEntriesByType('resource').some((e) => e.name.includes('unet.fp32.'))`
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fp32Fetched)); err != nil || got {
		t.Errorf("/docs fetched the FP32 weights before the click (%v)", err)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('qdiff-generator[precision=fp32]').shadowRoot.querySelector('button').click()`)); err != nil {
		t.Fatal(err)
	}
	if err := poll(ctx, `document.querySelector('qdiff-generator[precision=fp32]').result && `+fp32Fetched, 2*time.Minute); err != nil {
		t.Errorf("the FP32 demo did not run after its click: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`#generate`)); err != nil {
		t.Fatal(err)
	}
	axeCheck(t, ctx, "/ before")
	if err := chromedp.Do(ctx, colorScheme("dark")); err != nil {
		t.Fatal(err)
	}
	axeCheck(t, ctx, "/ before, dark")
	if err := chromedp.Do(ctx, colorScheme("light"), chromedp.Navigate(srv.URL+"/?n=3&steps=3&compare=1&autostart=1")); err != nil {
		t.Fatal(err)
	}
	if done, err := waitDone(ctx); err != nil || done["ok"] != true {
		t.Fatalf("generation: %v %v", done, err)
	}
	axeCheck(t, ctx, "/ after")
	if err := chromedp.Do(ctx, colorScheme("dark")); err != nil {
		t.Fatal(err)
	}
	axeCheck(t, ctx, "/ after, dark")
	if err := chromedp.Do(ctx, colorScheme("light")); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/embed?digit=7&steps=3&seed=2&guidance=2")); err != nil {
		t.Fatal(err)
	}
	axeCheck(t, ctx, "/embed before")
	if err := poll(ctx, `document.querySelector('qdiff-generator').result`, 2*time.Minute); err != nil {
		t.Fatalf("embed: %v", err)
	}
	axeCheck(t, ctx, "/embed after")
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestE2E_EmbedStyled checks that the element's shadow content is styled
// under the server's CSP on /docs and /embed (pixelated image, bar below
// it), with no CSP violation.
func TestE2E_EmbedStyled(t *testing.T) {
	srv, _ := e2eSite(t)
	ctx, consoleErrors := browser(t)
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	type style struct {
		Rendering string  `json:"rendering"`
		BarTop    float64 `json:"barTop"`
		ImgBottom float64 `json:"imgBottom"`
		ImgWidth  float64 `json:"imgWidth"`
		HostWidth float64 `json:"hostWidth"`
		CSP       []string
	}
	const measure = `(() => { const e = document.querySelector('qdiff-generator'); const r = e.shadowRoot;
  const c = r.querySelector('canvas').getBoundingClientRect(), b = r.querySelector('progress').getBoundingClientRect();
  return { rendering: getComputedStyle(r.querySelector('canvas')).imageRendering, barTop: b.top, imgBottom: c.bottom,
    imgWidth: c.width, hostWidth: e.getBoundingClientRect().width, CSP: window.cspViolations }; })()`
	for _, path := range []string{"/docs", "/embed?digit=3&steps=3&seed=1&size=100"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path)); err != nil {
			t.Fatal(err)
		}
		if err := poll(ctx, elementsDone, 2*time.Minute); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		s, err := chromedp.Run(ctx, chromedp.Evaluate[style](measure))
		if err != nil {
			t.Fatal(err)
		}
		if s.Rendering != "pixelated" || s.BarTop < s.ImgBottom || s.ImgWidth < s.HostWidth-1 || len(s.CSP) > 0 {
			t.Errorf("%s: shadow content unstyled: %+v", path, s)
		}
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestE2E_FailedDownload breaks the W8A8 weights halfway through: the
// page says which download failed and leaves no progress behind; once the
// server is fixed, Generate works.
func TestE2E_FailedDownload(t *testing.T) {
	out, _ := e2eBuild(t)
	h := New(os.DirFS(out), log.New(io.Discard, "", 0))
	var broken atomic.Bool
	broken.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() && strings.Contains(r.URL.Path, "/models/unet.w8a8.") {
			w.Header().Set("Content-Length", "1000000")
			w.WriteHeader(http.StatusOK)
			w.Write(make([]byte, 300000))
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // the connection drops mid-body
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ctx, consoleErrors := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/?precision=w8a8&n=3&steps=3&autostart=1")); err != nil {
		t.Fatal(err)
	}
	done, err := waitDone(ctx)
	if err != nil || done["ok"] != false {
		t.Fatalf("done %v, %v: want a failure", done, err)
	}
	type view struct {
		Error     string  `json:"error"`
		Status    string  `json:"status"`
		Rows      int     `json:"rows"`
		Hidden    bool    `json:"hidden"`
		Progress  float64 `json:"progress"`
		Captions  string  `json:"captions"`
		Generate  bool    `json:"generate"`
		CancelOff bool    `json:"cancelOff"`
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[view](`({ error: document.getElementById('error').textContent, status: document.getElementById('status').textContent,
  rows: document.querySelectorAll('#downloads li').length, hidden: document.getElementById('downloads').hidden,
  progress: document.getElementById('progress').value, captions: [...document.querySelectorAll('#grid figcaption')].map((c) => c.textContent).join(' | '),
  generate: !document.getElementById('generate').disabled, cancelOff: document.getElementById('cancel').disabled })`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(v.Error, "W8A8 weights") || v.Rows != 0 || !v.Hidden || v.Progress != 0 || strings.Contains(v.Status, "Generating") ||
		strings.Count(v.Captions, "not generated") != 3 || !v.Generate || !v.CancelOff {
		t.Errorf("after the failed download the page shows %+v", v)
	}
	t.Logf("failed download reads: %q", v.Error)
	broken.Store(false)
	if err := chromedp.Do(ctx, chromedp.Click(`#generate`)); err != nil {
		t.Fatal(err)
	}
	if done, err := waitDone(ctx); err != nil || done["ok"] != true {
		t.Errorf("retry after the server recovered: %v %v", done, err)
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

type shared struct {
	Href    string       `json:"href"`
	Results []pageResult `json:"results"`
}

// TestE2E_ShareLinkAndPNG sets the form by hand and generates: the
// address bar then holds the settings, and opening it and pressing
// Generate makes the same images. The PNG downloads are the images at
// 10x, nearest neighbour.
func TestE2E_ShareLinkAndPNG(t *testing.T) {
	srv, _ := e2eSite(t)
	ctx, consoleErrors := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`#generate`),
		chromedp.Evaluate[chromedp.Void](`(() => { const f = document.getElementById('controls').elements;
  for (const [k, v] of Object.entries({ digit: '4', n: '2', steps: '3', guidance: '2', seed: '21' })) { f[k].value = v; f[k].dispatchEvent(new Event('change', { bubbles: true })); } })()`),
		chromedp.Click(`#generate`)); err != nil {
		t.Fatal(err)
	}
	if done, err := waitDone(ctx); err != nil || done["ok"] != true {
		t.Fatalf("generation: %v %v", done, err)
	}
	const read = `({ href: location.href, results: window.qdiff.results })`
	first, err := chromedp.Run(ctx, chromedp.Evaluate[shared](read))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"digit=4", "n=2", "steps=3", "guidance=2", "seed=21", "precision=w8a8"} {
		if !strings.Contains(first.Href, want) {
			t.Errorf("address %s lacks %s", first.Href, want)
		}
	}
	if len(first.Results) != 2 {
		t.Fatalf("%d results", len(first.Results))
	}
	// the image's PNG: 28x28 at 10x in a 10-pixel border, each block one grey
	for _, c := range []struct {
		i, w, h int
	}{{0, 300, 300}, {1, 300, 300}, {-1, 590, 300}} {
		url, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`window.qdiff.png(%d)`, c.i)))
		if err != nil {
			t.Fatal(err)
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(url, "data:image/png;base64,"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() != c.w || img.Bounds().Dy() != c.h {
			t.Fatalf("png(%d) is %v, want %dx%d", c.i, img.Bounds(), c.w, c.h)
		}
		k := max(c.i, 0)
		ox := 10 + 290*k*boolInt(c.i < 0)
		for p, want := range first.Results[k].Pixels {
			for _, d := range [][2]int{{0, 0}, {9, 9}, {3, 7}} {
				r, _, _, _ := img.At(ox+10*(p%28)+d[0], 10+10*(p/28)+d[1]).RGBA()
				if int(r>>8) != want {
					t.Fatalf("png(%d) image %d pixel %d: %d, want %d", c.i, k, p, r>>8, want)
				}
			}
		}
	}
	// the link, opened anew: same form, same images
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.Navigate(first.Href), chromedp.WaitVisible(`#generate`), chromedp.Click(`#generate`)); err != nil {
		t.Fatal(err)
	}
	if done, err := waitDone(ctx); err != nil || done["ok"] != true {
		t.Fatalf("generation from the link: %v %v", done, err)
	}
	again, err := chromedp.Run(ctx, chromedp.Evaluate[shared](read))
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Results) != 2 {
		t.Fatalf("link: %d results", len(again.Results))
	}
	for i := range again.Results {
		if again.Results[i].Seed != first.Results[i].Seed || !slices.Equal(again.Results[i].Pixels, first.Results[i].Pixels) {
			t.Errorf("image %d from the link differs (seed %d vs %d)", i, again.Results[i].Seed, first.Results[i].Seed)
		}
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestE2E_OfflineSecondVisit generates once, waits until the page says it
// is offline-ready, shuts the server down and visits again: the same
// images come.
func TestE2E_OfflineSecondVisit(t *testing.T) {
	srv, _ := e2eSite(t)
	ctx, consoleErrors := browser(t)
	url := srv.URL + "/?n=2&steps=3&seed=5&digit=-1&autostart=1"
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	if done, err := waitDone(ctx); err != nil || done["ok"] != true {
		t.Fatalf("online visit: %v %v", done, err)
	}
	if err := poll(ctx, `window.qdiff.offlineReady && document.getElementById('offline').textContent.startsWith('Offline-ready')`, time.Minute); err != nil {
		t.Fatalf("the page never said it was offline-ready: %v", err)
	}
	first, err := chromedp.Run(ctx, chromedp.Evaluate[[]pageResult](`window.qdiff.results`))
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("offline visit: %v", err)
	}
	if done, err := waitDone(ctx); err != nil || done["ok"] != true {
		t.Fatalf("offline visit: %v %v (console %v)", done, err, consoleErrors())
	}
	again, err := chromedp.Run(ctx, chromedp.Evaluate[[]pageResult](`window.qdiff.results`))
	if err != nil || len(again) != len(first) {
		t.Fatalf("offline results %d, online %d (%v)", len(again), len(first), err)
	}
	for i := range again {
		if !slices.Equal(again[i].Pixels, first[i].Pixels) {
			t.Errorf("offline image %d differs", i)
		}
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestE2E_EscapeAndFocus starts a long run with the Generate button: the
// keyboard focus moves to Cancel, Escape cancels, focus comes back to
// Generate, and the page says "Canceled" without an error.
func TestE2E_EscapeAndFocus(t *testing.T) {
	srv, _ := e2eSite(t)
	ctx, consoleErrors := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/?precision=fp32&n=16&steps=200"), chromedp.WaitVisible(`#generate`),
		chromedp.Focus(`#generate`), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	if err := poll(ctx, `document.getElementById('progress').value > 0`, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	if f, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`)); f != "cancel" {
		t.Errorf("while running, focus is on %q, want cancel", f)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	done, err := waitDone(ctx)
	if err != nil || done["canceled"] != true {
		t.Fatalf("after Escape: %v %v", done, err)
	}
	type view struct {
		Focus    string  `json:"focus"`
		Status   string  `json:"status"`
		ErrShown bool    `json:"errShown"`
		Progress float64 `json:"progress"`
		Workers  int     `json:"workers"`
		Uncapped int     `json:"uncapped"`
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[view](`({ focus: document.activeElement.id, status: document.getElementById('status').textContent,
  errShown: !document.getElementById('error').hidden, progress: document.getElementById('progress').value, workers: window.qdiff.client.workers.length,
  uncapped: [...document.querySelectorAll('#grid figcaption')].filter((c) => !c.textContent.trim()).length })`))
	if err != nil {
		t.Fatal(err)
	}
	if v.Focus != "generate" || !strings.HasPrefix(v.Status, "Canceled") || v.ErrShown || v.Progress != 0 || v.Workers != 0 || v.Uncapped != 0 {
		t.Errorf("after Escape the page shows %+v", v)
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestE2E_DocsColdVisit measures a cold visit of /docs with the committed
// weights until its two live demos finish: under 2.5 MB, the
// FP32 weights not among them.
func TestE2E_DocsColdVisit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the site with the committed weights")
	}
	zooSnapshot(t)
	zoo := "../models/zoo/"
	cards, _ := filepath.Glob(zoo + "*.CARD.md")
	previews, _ := filepath.Glob("../docs/previews/*.png")
	out := filepath.Join(t.TempDir(), "dist")
	if _, err := site.Build(context.Background(), site.BuildOptions{Out: out, Brotli: 11, Cards: cards, Previews: previews,
		Models:     map[string]string{"fp32": zoo + "unet.engine-fp32.safetensors", "w8a8": zoo + "unet.w8a8.safetensors", "w4a8": zoo + "unet.w4a8.safetensors"},
		Classifier: zooClassifier, Dialog: zooDialog}); err != nil {
		t.Fatal(err)
	}
	cold := coldVisitOf(t, New(os.DirFS(out), log.New(io.Discard, "", 0)), "/docs", elementsDone)
	t.Logf("cold /docs visit: %d bytes in %d requests", cold.bytes, cold.requests)
	if testing.Verbose() {
		t.Log(strings.Join(cold.log, "\n"))
	}
	if cold.bytes > 2_500_000 {
		t.Errorf("cold /docs visit %d bytes, target 2,500,000", cold.bytes)
	}
	for _, l := range cold.log {
		if strings.Contains(l, "unet.fp32.") {
			t.Errorf("cold /docs visit fetched the FP32 weights: %s", l)
		}
	}
}
