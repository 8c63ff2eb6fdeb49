package main

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/qdiff/qdiff/models/engine"
	"github.com/qdiff/qdiff/site"
)

// TestE2E_ZooW4A8MatchesWazero generates digits in Chromium from the
// committed W4A8 file (4-bit layers with the first and last conv at 8
// bits) and compares their bytes with the wasip1 SIMD engine's under
// wazero.
func TestE2E_ZooW4A8MatchesWazero(t *testing.T) {
	zoo := "../models/zoo/"
	b, err := os.ReadFile(zoo + "unet.w4a8.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	net, err := engine.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := site.Build(context.Background(), site.BuildOptions{Out: out,
		Models:     map[string]string{"w4a8": zoo + "unet.w4a8.safetensors"},
		Classifier: zoo + "bnet.safetensors", Dialog: zoo + "dialog-bnet.safetensors"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(os.DirFS(out), log.New(io.Discard, "", 0)))
	defer srv.Close()
	ctx, consoleErrors := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/?precision=w4a8&n=2&steps=4&guidance=2&seed=5&digit=-1&autostart=1")); err != nil {
		t.Fatal(err)
	}
	done, err := waitDone(ctx)
	if err != nil || done["ok"] != true {
		t.Fatalf("generation: %v %v (console: %v)", done, err, consoleErrors())
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[[]pageResult](`window.qdiff.results`))
	if err != nil {
		t.Fatal(err)
	}
	want := wazeroGenerate(t, net, 5, -1, 2, 4, 2)
	if len(res) != len(want) {
		t.Fatalf("%d results, want %d", len(res), len(want))
	}
	for i, r := range res {
		samePixels(t, i, r, want[i])
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
