package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qdiff/qdiff/models/mnist/mnisttest"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/qdiff/qdiff/models/bnet"
	"github.com/qdiff/qdiff/models/engine"
	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/ptq"
	"github.com/qdiff/qdiff/models/sidial"
	"github.com/qdiff/qdiff/models/unet"
	"github.com/qdiff/qdiff/site"
)

// e2eSite builds the site around a small random-weight model (the
// comparison needs a model, not a good one) and serves it.
func e2eSite(t *testing.T) (*httptest.Server, map[string]*engine.Net) {
	t.Helper()
	out, nets := e2eBuild(t)
	srv := httptest.NewServer(New(os.DirFS(out), log.New(io.Discard, "", 0)))
	t.Cleanup(srv.Close)
	return srv, nets
}

// e2eBuild builds the test site and returns its folder and engines.
func e2eBuild(t *testing.T) (string, map[string]*engine.Net) {
	t.Helper()
	zooSnapshot(t)
	if _, err := exec.LookPath(chromiumPath()); err != nil {
		t.Skip("chromium not installed (.ci/run installs Debian's chromium)")
	}
	dir := t.TempDir()
	u := unet.NewUNet(unet.DefaultUNet, 9)
	r := rand.New(rand.NewPCG(9, 9))
	for _, p := range u.Params() {
		if strings.HasSuffix(p.Name, "conv2.weight") || strings.HasSuffix(p.Name, "proj.weight") || p.Name == "out.weight" {
			for i := range p.W {
				p.W[i] = float32(0.05 * r.NormFloat64())
			}
		}
	}
	fp := u.ToEngine()
	var calib []ptq.CalibInput
	for i := 0; i < 4; i++ {
		x := engine.Noise(uint64(i), 784)
		calib = append(calib, ptq.CalibInput{X: x, T: 100 + 200*i, Label: i})
	}
	nets := map[string]*engine.Net{"fp32": fp}
	paths := map[string]string{}
	for _, prec := range []engine.Precision{engine.FP32, engine.W8A8} {
		n := fp
		if prec != engine.FP32 {
			var err error
			if n, err = ptq.Quantize(fp, calib, ptq.PTQConfig{Prec: prec, Keep: 1}, io.Discard); err != nil {
				t.Fatal(err)
			}
			nets[prec.String()] = n
		}
		b, err := n.Encode(nil)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, prec.String()+".safetensors")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths[prec.String()] = p
	}
	out := filepath.Join(dir, "dist")
	cards, _ := filepath.Glob("../models/zoo/*.CARD.md") // the docs page as it is served (axe checks it)
	if _, err := site.Build(context.Background(), site.BuildOptions{Out: out, Models: paths, Classifier: zooClassifier, Dialog: zooDialog, Cards: cards}); err != nil {
		t.Fatal(err)
	}
	return out, nets
}

func chromiumPath() string {
	if p := os.Getenv("QDIFF_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// browser starts headless Chromium and collects console errors.
func browser(t testing.TB, extra ...chromedp.ExecAllocatorOption) (context.Context, func() []string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath()), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true))
	opts = append(opts, extra...)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(cancel3)
	var mu sync.Mutex
	var errs []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			errs = append(errs, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber, msg))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, fmt.Sprint(a.Value, a.Description))
				}
				errs = append(errs, "console.error: "+strings.Join(parts, " "))
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	return ctx, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), errs...) }
}

type pageResult struct {
	Seed   int   `json:"seed"`
	Digit  int   `json:"digit"`
	Pixels []int `json:"pixels"`
	Label  *int  `json:"label"`
}

// waitDone polls window.qdiff.done.
func waitDone(ctx context.Context) (map[string]any, error) {
	done, err := chromedp.Run(ctx, chromedp.Poll[map[string]any](`window.qdiff && window.qdiff.done`,
		chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(3*time.Minute)))
	if err != nil {
		// say what the page shows
		msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('error').textContent + ' | progress ' + document.getElementById('progress').value`))
		return nil, fmt.Errorf("%w (page: %s)", err, msg)
	}
	return done, nil
}

// TestE2E_GenerateMatchesWazero generates W8A8 digits in Chromium and
// compares their bytes with the engine's, which the wazero harness shows
// equal to the wasip1 SIMD build's (ptq.TestEngine_WasmStep and
// `qdiff generate`).
func TestE2E_GenerateMatchesWazero(t *testing.T) {
	srv, nets := e2eSite(t)
	ctx, consoleErrors := browser(t)
	url := srv.URL + "/?precision=w8a8&n=3&steps=4&guidance=2&seed=11&digit=-1&autostart=1"
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	done, err := waitDone(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if done["ok"] != true {
		t.Fatalf("generation did not finish: %v (console: %v)", done, consoleErrors())
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[[]pageResult](`window.qdiff.results`))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 {
		t.Fatalf("%d results, want 3", len(res))
	}
	wasmBytes := wazeroGenerate(t, nets["w8a8"], 11, -1, 3, 4, 2)
	bk := zooBnet(t)
	for i, r := range res {
		if r.Digit != engine.RandomDigit(uint64(11+i)) {
			t.Errorf("image %d: digit %d, want %d", i, r.Digit, engine.RandomDigit(uint64(11+i)))
		}
		want := wasmBytes[i]
		samePixels(t, i, r, want)
		if nl, _, err := bk.Predict(want); err != nil || r.Label == nil || *r.Label != nl {
			t.Errorf("image %d: page label %v, native binary network %d (%v)", i, r.Label, nl, err)
		}
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
	t.Logf("3 W8A8 images byte-identical between Chromium and wazero; %v", done)
}

// samePixels fails the test unless image i of the page has exactly the
// bytes want.
func samePixels(t *testing.T, i int, r pageResult, want []byte) {
	t.Helper()
	if len(r.Pixels) != len(want) {
		t.Fatalf("image %d: %d pixels", i, len(r.Pixels))
	}
	for p := range want {
		if byte(r.Pixels[p]) != want[p] {
			t.Fatalf("image %d pixel %d: browser %d, wazero %d", i, p, r.Pixels[p], want[p])
		}
	}
}

// wazeroGenerate runs the wasip1 SIMD engine guest under wazero.
// digit -1 draws engine.RandomDigit per image, as the page does.
func wazeroGenerate(t *testing.T, n *engine.Net, seed uint64, digit, count, steps int, w float64) [][]byte {
	t.Helper()
	b, err := n.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "m.safetensors")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	wasm := filepath.Join(dir, "g.wasm")
	if err := wazerotestBuild(ctx, wasm); err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for i := 0; i < count; i++ {
		s := seed + uint64(i)
		d := digit
		if d < 0 {
			d = engine.RandomDigit(s)
		}
		px, err := wazerotestRun(ctx, wasm, "generate", p, fmt.Sprint(s), fmt.Sprint(d), fmt.Sprint(steps), fmt.Sprint(w))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, px)
	}
	return out
}

// TestE2E_SideBySide runs the FP32 | W8A8 comparison with 4 images: both
// images and their difference appear, the W8A8 one matches the wazero
// bytes, and every image keeps its 1-bit label.
func TestE2E_SideBySide(t *testing.T) {
	srv, nets := e2eSite(t)
	ctx, consoleErrors := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/?precision=w8a8&compare=1&n=4&steps=3&guidance=2&seed=4&digit=5&autostart=1")); err != nil {
		t.Fatal(err)
	}
	done, err := waitDone(ctx)
	if err != nil || done["ok"] != true {
		t.Fatalf("done %v, %v (console: %v)", done, err, consoleErrors())
	}
	type cmp struct {
		FP32 []int   `json:"fp32"`
		W8A8 []int   `json:"w8a8"`
		Diff float64 `json:"meanAbsDiff"`
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[[]cmp](`window.qdiff.results`))
	if err != nil {
		t.Fatal(err)
	}
	heats, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#grid figure .panes canvas').length`))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 || heats != 12 {
		t.Fatalf("%d results and %d canvases, want 4 and 12", len(res), heats)
	}
	labels, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#grid figure .label')].map((l) => l.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(labels) != 8 || slices.ContainsFunc(labels, func(l string) bool { return !strings.HasPrefix(l, "reads as ") }) {
		t.Errorf("side by side labels %q, want 8 (FP32 and W8A8 of 4 images)", labels)
	}
	want := wazeroGenerate(t, nets["w8a8"], 4, 5, 1, 3, 2)[0]
	var d float64
	for p := range want {
		if byte(res[0].W8A8[p]) != want[p] {
			t.Fatalf("W8A8 pixel %d: browser %d, wazero %d", p, res[0].W8A8[p], want[p])
		}
		d += math.Abs(float64(res[0].W8A8[p] - res[0].FP32[p]))
	}
	if math.Abs(d/784-res[0].Diff) > 1e-9 {
		t.Errorf("page mean |difference| %v, computed %v", res[0].Diff, d/784)
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

func TestE2E_BadParamsAndCancel(t *testing.T) {
	srv, _ := e2eSite(t)
	ctx, consoleErrors := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/?steps=abc&digit=12&bogus=1"), chromedp.WaitVisible(`#error`)); err != nil {
		t.Fatal(err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(`#error`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"steps=abc", "digit=12", "bogus"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error message %q does not mention %q", msg, want)
		}
	}
	// a long run, canceled once the first step has been drawn
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/?precision=fp32&n=16&steps=200&autostart=1"),
		chromedp.Steps(chromedp.Poll[chromedp.Void](`document.getElementById('progress').value > 0`,
			chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(2*time.Minute))),
		chromedp.Click(`#cancel`),
	); err != nil {
		t.Fatal(err)
	}
	done, err := waitDone(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if done["canceled"] != true {
		t.Errorf("done = %v, want canceled", done)
	}
	workers, err := chromedp.Run(ctx, chromedp.Evaluate[int](`window.qdiff.client.workers.length`))
	if err != nil {
		t.Fatal(err)
	}
	if workers != 0 {
		t.Errorf("%d workers still running after cancel", workers)
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// zooClassifier is the committed binary network, which the page uses for
// labels and the drawing pad; zooSnapshot copies it (and the dialog) once
// per test run so that a training job rewriting the zoo cannot make the
// page and the native checks disagree.
var zooClassifier, zooDialog = "../models/zoo/bnet.safetensors", "../models/zoo/dialog-bnet.safetensors"

var zooOnce sync.Once

func zooSnapshot(t *testing.T) {
	t.Helper()
	zooOnce.Do(func() {
		dir, err := os.MkdirTemp("", "qdiff-zoo-")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []*string{&zooClassifier, &zooDialog} {
			b, err := os.ReadFile(*p)
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(dir, filepath.Base(*p))
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				t.Fatal(err)
			}
			*p = dst
		}
	})
}

// drawJS draws a 28x28 image on the pad with synthetic pointer events, one
// stroke per horizontal run of ink, then waits for the pad's label.
const drawJS = `(async (img) => {
  const c = document.getElementById('pad-canvas');
  document.getElementById('pad-clear').click();
  const r = c.getBoundingClientRect();
  const ev = (type, x, y) => c.dispatchEvent(new PointerEvent(type, {
    clientX: r.left + (x + 0.5) * r.width / 28, clientY: r.top + (y + 0.5) * r.height / 28,
    pointerId: 1, pointerType: 'mouse', isPrimary: true, buttons: type === 'pointerup' ? 0 : 1, bubbles: true }));
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28;) {
      if (img[y * 28 + x] < 128) { x++; continue; }
      const x0 = x;
      while (x < 28 && img[y * 28 + x] >= 128) x++;
      ev('pointerdown', x0, y); ev('pointermove', x - 1, y); ev('pointerup', x - 1, y);
    }
  }
  await window.qdiff.pad.idle();
  return { label: window.qdiff.pad.label, pixels: window.qdiff.pad.pixels };
})`

// TestE2E_DrawingPad draws MNIST test digits on the pad with pointer
// events: the binary network in the page must read them as their labels,
// and its answer must equal the native kernels' on the pad's own 28x28.
func TestE2E_DrawingPad(t *testing.T) {
	ctx, consoleErrors, test, bk := padPage(t)
	const n = 10
	right := 0
	for i := 0; i < n; i++ {
		img := make([]int, 784)
		for p, v := range test.Image(i) {
			img[p] = int(v)
		}
		type drawn struct {
			Label  int   `json:"label"`
			Pixels []int `json:"pixels"`
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[drawn](fmt.Sprintf("%s(%s)", drawJS, jsInts(img)), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Pixels) != 784 {
			t.Fatalf("digit %d: pad gave %d pixels", i, len(got.Pixels))
		}
		px := make([]byte, 784)
		for p, v := range got.Pixels {
			px[p] = byte(v)
		}
		native, _, err := bk.Predict(px)
		if err != nil {
			t.Fatal(err)
		}
		if native != got.Label {
			t.Errorf("digit %d: page says %d, native kernels %d on the same pixels", i, got.Label, native)
		}
		if got.Label == int(test.Labels[i]) {
			right++
		}
	}
	// hand-drawn strokes are not MNIST's pen: allow one miss in ten
	if right < n-1 {
		t.Errorf("pad read %d of %d drawn test digits correctly", right, n)
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
	t.Logf("pad read %d of %d drawn MNIST test digits correctly", right, n)
}

// padPage opens the page for the drawing-pad tests and loads the MNIST
// test digits and the binary network the page uses.
func padPage(t *testing.T) (context.Context, func() []string, *mnist.Dataset, *bnet.Net) {
	t.Helper()
	srv, _ := e2eSite(t)
	ctx, consoleErrors := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(`#pad-canvas`)); err != nil {
		t.Fatal(err)
	}
	return ctx, consoleErrors, mnisttest.Test(t), zooBnet(t)
}

func zooBnet(t *testing.T) *bnet.Net {
	t.Helper()
	b, err := os.ReadFile(zooClassifier)
	if err != nil {
		t.Fatal(err)
	}
	bk, err := bnet.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return bk
}

func jsInts(v []int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, x)
	}
	b.WriteByte(']')
	return b.String()
}

// TestE2E_DialogOcclusion draws test digits on the pad, hides the top half
// and answers the page's questions with clicks, as the oracle would: at
// every round the page's guess and next question must equal the native
// dialog's on the same pixels, and for the chosen digit the guess changes.
func TestE2E_DialogOcclusion(t *testing.T) {
	ctx, consoleErrors, test, bk := padPage(t)
	db, err := os.ReadFile(zooDialog)
	if err != nil {
		t.Fatal(err)
	}
	dm, err := sidial.Decode(db)
	if err != nil {
		t.Fatal(err)
	}
	const rounds = 3
	type step struct {
		label, next int
	}
	// native replay of the page's dialog with the top half hidden
	native := func(px []byte) ([]step, []int8) {
		occ := append([]byte(nil), px...)
		clear(occ[:14*28])
		_, probs, err := bk.Predict(occ)
		if err != nil {
			t.Fatal(err)
		}
		oracle := sidial.Oracle(px)
		ans := make([]int8, len(sidial.Questions))
		var steps []step
		for r := 0; r <= rounds; r++ {
			post, _ := dm.Posterior(probs, 0.5, ans)
			next, _ := dm.Next(probs, 0.5, ans)
			steps = append(steps, step{nn.Argmax(post), next})
			if r < rounds {
				ans[next] = oracle[next]
			}
		}
		return steps, oracle
	}
	type dstate struct {
		Label   int  `json:"label"`
		Next    int  `json:"next"`
		Asked   int  `json:"asked"`
		Pending bool `json:"pending"`
	}
	poll := func(asked int) dstate {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Poll[dstate](fmt.Sprintf(`(() => { const d = window.qdiff.pad.dialog; return d.label !== null && d.asked === %d && d.pending !== undefined && d; })()`, asked),
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second)))
		if err != nil {
			msg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('error').textContent + ' | ' + JSON.stringify(window.qdiff.pad.dialog)`))
			t.Fatalf("dialog round %d did not come: %v (page: %s; console %v)", asked, err, msg, consoleErrors())
		}
		return s
	}
	for i := 0; i < 20; i++ {
		img := make([]int, 784)
		for p, v := range test.Image(i) {
			img[p] = int(v)
		}
		type drawn struct {
			Pixels []int `json:"pixels"`
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[drawn](fmt.Sprintf("%s(%s)", drawJS, jsInts(img)), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		px := make([]byte, 784)
		for p, v := range got.Pixels {
			px[p] = byte(v)
		}
		want, oracle := native(px)
		if want[0].label == want[rounds].label {
			continue // the answers do not change this one's guess: try the next digit
		}
		if err := chromedp.Do(ctx, chromedp.SetValue(`#occlude`, "top"), chromedp.Evaluate[chromedp.Void](`document.getElementById('occlude').dispatchEvent(new Event('change'))`)); err != nil {
			t.Fatal(err)
		}
		for r := 0; r <= rounds; r++ {
			s := poll(r)
			if s.Label != want[r].label || s.Next != want[r].next {
				t.Fatalf("digit %d round %d: page guess %d next question %d, native %d and %d", i, r, s.Label, s.Next, want[r].label, want[r].next)
			}
			if r == rounds {
				break
			}
			button := "#answer-no"
			if oracle[s.Next] > 0 {
				button = "#answer-yes"
			}
			if err := chromedp.Do(ctx, chromedp.Click(button)); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("digit %d (label %d), top half hidden: guess %d, after %d answers %d", i, test.Labels[i], want[0].label, rounds, want[rounds].label)
		if errs := consoleErrors(); len(errs) > 0 {
			t.Errorf("console errors: %v", errs)
		}
		return
	}
	t.Fatal("no digit among the first 20 whose guess the answers change")
}
