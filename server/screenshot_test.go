package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/qdiff/qdiff/models/mnist/mnisttest"

	"github.com/chromedp/chromedp"

	"github.com/qdiff/qdiff/site"
)

// TestScreenshots writes the README's pictures of the real site (the
// committed models) into $QDIFF_SCREENSHOTS: `make screenshots`. Skipped
// unless that variable is set.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("QDIFF_SCREENSHOTS")
	if dir == "" {
		t.Skip("QDIFF_SCREENSHOTS not set (make screenshots)")
	}
	zoo := "../models/zoo/"
	cards, _ := filepath.Glob(zoo + "*.CARD.md")
	previews, _ := filepath.Glob("../docs/previews/*.png")
	out := t.TempDir()
	if _, err := site.Build(context.Background(), site.BuildOptions{Out: out,
		Models:     map[string]string{"fp32": zoo + "unet.engine-fp32.safetensors", "w8a8": zoo + "unet.w8a8.safetensors", "w4a8": zoo + "unet.w4a8.safetensors"},
		Classifier: zoo + "bnet.safetensors", Dialog: zoo + "dialog-bnet.safetensors", Cards: cards, Previews: previews}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(os.DirFS(out), log.New(io.Discard, "", 0)))
	defer srv.Close()
	ctx, consoleErrors := browser(t)
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", name, len(png))
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1100, 900),
		chromedp.Navigate(srv.URL+"/?precision=w8a8&n=16&steps=20&seed=1&autostart=1")); err != nil {
		t.Fatal(err)
	}
	if done, err := waitDone(ctx); err != nil || done["ok"] != true {
		t.Fatalf("generation: %v %v", done, err)
	}
	test := mnisttest.Test(t)
	img := make([]int, 784)
	for p, v := range test.Image(0) {
		img[p] = int(v)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](fmt.Sprintf("%s(%s)", drawJS, jsInts(img)), chromedp.EvalAwaitPromise)); err != nil {
		t.Fatal(err)
	}
	shot("screenshot.png")
	if err := chromedp.Do(ctx, chromedp.Click(`#auto-answer`), chromedp.SetValue(`#occlude`, "top"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('occlude').dispatchEvent(new Event('change'))`),
		chromedp.Steps(chromedp.Poll[chromedp.Void](`window.qdiff.pad.dialog.asked >= 5 && window.qdiff.pad.dialog.label !== null`,
			chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(time.Minute))),
		chromedp.ScrollIntoView(`#pad`)); err != nil {
		t.Fatal(err)
	}
	shot("screenshot-dialog.png")
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/docs"),
		chromedp.Steps(chromedp.Poll[chromedp.Void](elementsDone,
			chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(2*time.Minute)))); err != nil {
		t.Fatal(err)
	}
	shot("screenshot-docs.png")
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/?precision=w8a8&compare=1&n=4&steps=20&seed=1&autostart=1")); err != nil {
		t.Fatal(err)
	}
	if done, err := waitDone(ctx); err != nil || done["ok"] != true {
		t.Fatalf("side by side: %v %v", done, err)
	}
	shot("screenshot-compare.png")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(srv.URL+"/?precision=w8a8&n=4&steps=20&seed=5&autostart=1")); err != nil {
		t.Fatal(err)
	}
	if done, err := waitDone(ctx); err != nil || done["ok"] != true {
		t.Fatalf("phone-sized generation: %v %v", done, err)
	}
	shot("screenshot-phone.png")
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
