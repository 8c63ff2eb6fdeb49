package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// hostPage serves one HTML page from a second origin.
func hostPage(t *testing.T, html string) *httptest.Server {
	t.Helper()
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, html)
	}))
	t.Cleanup(h.Close)
	return h
}

type hostEvent struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Step   int    `json:"step"`
	Digit  int    `json:"digit"`
	Msg    string `json:"message"`
	Pixels []int  `json:"pixels"`
}

// TestE2E_CustomElementCrossOrigin embeds three <qdiff-generator>
// elements in a page of another origin: two valid ones must both finish,
// sharing one worker pool, with their events in order (progress 1..n,
// then done); the invalid one must say why in the element and fire error.
func TestE2E_CustomElementCrossOrigin(t *testing.T) {
	srv, nets := e2eSite(t)
	host := hostPage(t, `<!DOCTYPE html><html><body>
<script>
window.events = [];
for (const type of ['progress', 'done', 'error']) {
  document.addEventListener(type, (e) => {
    if (e.target.tagName !== 'QDIFF-GENERATOR') return;
    const d = e.detail || {};
    window.events.push({ id: e.target.id, type, step: d.step || 0, digit: d.digit ?? -1, message: d.message || '', pixels: d.pixels || [] });
  });
}
</script>
<qdiff-generator id="a" digit="3" precision="w8a8" steps="3" seed="5" guidance="2" size="56"></qdiff-generator>
<qdiff-generator id="b" digit="random" precision="fp32" steps="3" seed="6" guidance="2"></qdiff-generator>
<qdiff-generator id="c" digit="12" steps="-4"></qdiff-generator>
<div style="height: 3000px"></div>
<qdiff-generator id="d" digit="1" precision="w8a8" steps="2" seed="9"></qdiff-generator>
<script src="`+srv.URL+`/qdiff-element.js"></script>
</body></html>`)
	ctx, consoleErrors := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(host.URL)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.events.filter((e) => e.type === 'done').length === 2`,
		chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(2*time.Minute))); err != nil {
		evs, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify(window.events.map((e) => [e.id, e.type, e.message]))`))
		t.Fatalf("both elements did not finish: %v (events %s, console %v)", err, evs, consoleErrors())
	}
	evs, err := chromedp.Run(ctx, chromedp.Evaluate[[]hostEvent](`window.events`))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string][]hostEvent{}
	for _, e := range evs {
		byID[e.ID] = append(byID[e.ID], e)
	}
	for _, id := range []string{"a", "b"} {
		var seq []string
		for _, e := range byID[id] {
			seq = append(seq, fmt.Sprintf("%s%d", e.Type, e.Step))
		}
		if got := strings.Join(seq, " "); got != "progress1 progress2 progress3 done0" {
			t.Errorf("element %s events %q, want progress 1..3 then done", id, got)
		}
	}
	want := wazeroGenerate(t, nets["w8a8"], 5, 3, 1, 3, 2)[0]
	done := byID["a"][len(byID["a"])-1]
	if len(done.Pixels) != 784 {
		t.Fatalf("element a: %d pixels", len(done.Pixels))
	}
	for p := range want {
		if byte(done.Pixels[p]) != want[p] {
			t.Fatalf("element a pixel %d: %d, wazero %d", p, done.Pixels[p], want[p])
		}
	}
	if c := byID["c"]; len(c) != 1 || c[0].Type != "error" || !strings.Contains(c[0].Msg, `digit="12"`) || !strings.Contains(c[0].Msg, `steps="-4"`) {
		t.Errorf("invalid element: events %+v, want one error naming digit and steps", c)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('c').shadowRoot.querySelector('.msg').textContent`))
	if err != nil || !strings.Contains(shown, "digit") {
		t.Errorf("invalid element shows %q (%v)", shown, err)
	}
	// the element below the fold starts only when scrolled into view
	if d := byID["d"]; len(d) != 0 {
		t.Errorf("element below the fold started before it was visible: %+v", d)
	}
	if err := chromedp.Do(ctx, chromedp.ScrollIntoView(`#d`),
		chromedp.Steps(chromedp.Poll[chromedp.Void](`window.events.some((e) => e.id === 'd' && e.type === 'done')`,
			chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(time.Minute)))); err != nil {
		t.Errorf("element d did not finish after scrolling: %v", err)
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestE2E_IframeEmbed embeds /embed in a page of another origin: the
// generator finishes and posts its events to the parent; bad URL
// parameters are reported the same way.
func TestE2E_IframeEmbed(t *testing.T) {
	srv, _ := e2eSite(t)
	host := hostPage(t, `<!DOCTYPE html><html><body>
<script>window.msgs = []; addEventListener('message', (e) => { if (e.data && e.data.source === 'qdiff') window.msgs.push(e.data.type + ':' + (e.data.detail.message || '')); });</script>
<iframe src="`+srv.URL+`/embed?digit=7&precision=w8a8&steps=3&seed=2&guidance=2" width="140" height="160"></iframe>
<iframe src="`+srv.URL+`/embed?digit=x&bogus=1" width="300" height="160"></iframe>
</body></html>`)
	ctx, consoleErrors := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(host.URL)); err != nil {
		t.Fatal(err)
	}
	msgs, err := chromedp.Run(ctx, chromedp.Poll[[]string](`window.msgs.includes('done:') && window.msgs.some((m) => m.startsWith('error:')) && window.msgs`,
		chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(2*time.Minute)))
	if err != nil {
		m, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.msgs`))
		t.Fatalf("embed did not finish: %v (messages %v, console %v)", err, m, consoleErrors())
	}
	var errMsg string
	for _, m := range msgs {
		if strings.HasPrefix(m, "error:") {
			errMsg = m
		}
	}
	if !strings.Contains(errMsg, "bogus") || !strings.Contains(errMsg, `digit="x"`) {
		t.Errorf("bad embed parameters reported as %q", errMsg)
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestE2E_StaticFolder serves the built folder with a plain file server
// (no COOP/COEP/CSP, no compression negotiation), as a static host would:
// a generation still finishes.
func TestE2E_StaticFolder(t *testing.T) {
	out, _ := e2eBuild(t)
	srv := httptest.NewServer(http.FileServer(http.Dir(out)))
	t.Cleanup(srv.Close)
	ctx, consoleErrors := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/?precision=w8a8&n=2&steps=3&seed=3&autostart=1")); err != nil {
		t.Fatal(err)
	}
	done, err := waitDone(ctx)
	if err != nil || done["ok"] != true {
		t.Fatalf("done %v, %v (console %v)", done, err, consoleErrors())
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// TestE2E_ElementErrorAfterListener puts the listener after an invalid
// element (as the docs show it): the element's error event still reaches it.
func TestE2E_ElementErrorAfterListener(t *testing.T) {
	srv, _ := e2eSite(t)
	host := hostPage(t, `<!DOCTYPE html><html><body>
<script src="`+srv.URL+`/qdiff-element.js"></script>
<qdiff-generator id="bad" digit="12"></qdiff-generator>
<script>window.errs = []; document.querySelector('#bad').addEventListener('error', (e) => window.errs.push(e.detail.message));</script>
</body></html>`)
	ctx, consoleErrors := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(host.URL)); err != nil {
		t.Fatal(err)
	}
	errs, err := chromedp.Run(ctx, chromedp.Poll[[]string](`window.errs.length > 0 && window.errs`,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil || len(errs) != 1 || !strings.Contains(errs[0], `digit="12"`) {
		t.Errorf("listener after the element heard %q (%v)", errs, err)
	}
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
