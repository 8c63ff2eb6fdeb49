// <qdiff-generator>: a live qdiff generator for any page, loaded by one
// script tag (qdiff-element.js: client.js, then this file). Several
// elements on a page share one client: one worker pool and one weight
// cache. Attributes: digit (0-9 or "random"), precision (fp32, w8a8, w4a8),
// steps, seed, guidance, size (pixels) within site.Params' limits, and
// start ("visible", the default: when scrolled into view; "click": a
// button that says the download size first). It fires CustomEvents
// "progress" {step, steps}, "done" {digit, pixels, ms, label, confidence}
// and "error" {message}. Inside an iframe (/embed) it also posts them to
// the parent.
'use strict';
(() => {
  if (customElements.get('qdiff-generator')) return;
  const Q = self.qdiffClient;
  const script = document.currentScript;
  const base = new URL('.', script ? script.src : location.href);
  let shared = null; // the client, once manifest.json has come

  function client() {
    if (!shared) {
      shared = fetch(new URL('manifest.json', base)).then((r) => {
        if (!r.ok) throw new Error(`qdiff manifest: HTTP ${r.status}`);
        return r.json();
      }).then((m) => Q.create(m, base.href));
      shared.catch(() => { shared = null; });
    }
    return shared;
  }

  const enums = {
    digit: (v) => (v === null || v === 'random' ? -1 : null),
    precision: (v) => (v === null ? 'w8a8' : ['fp32', 'w8a8', 'w4a8'].includes(v) ? v : null),
    start: (v) => (v === null ? 'visible' : v === 'visible' || v === 'click' ? v : null),
  };
  const names = ['digit', 'precision', 'steps', 'seed', 'guidance', 'size', 'start'];
  function read(k, v) {
    if (k in enums && enums[k](v) !== null) return enums[k](v);
    if (k in enums && k !== 'digit') return null;
    if (v === null) return Q.params.find((p) => p.name === k).default;
    return Q.check(k, v);
  }
  const wants = (k) => ({
    digit: '0-9 or random', precision: 'fp32, w8a8 or w4a8', start: 'visible or click',
  }[k] || Q.want(k));

  const css = `:host{display:inline-block;font:12px/1.3 system-ui,sans-serif;color:inherit;vertical-align:top}
    canvas{display:block;image-rendering:pixelated;background:#000;border-radius:4px;width:100%;aspect-ratio:1}
    progress{display:block;width:100%;height:4px;margin:2px 0}
    .msg{color:#b3261e;max-width:100%;overflow-wrap:anywhere}
    .cap{margin-top:2px;overflow-wrap:anywhere}
    button{font:inherit;margin-top:4px;padding:4px 8px;border-radius:4px;border:1px solid currentColor;background:transparent;color:inherit;cursor:pointer}
    @media (prefers-color-scheme:dark){.msg{color:#ff8a80}}`;
  let sheet = null;
  try { sheet = new CSSStyleSheet(); sheet.replaceSync(css); } catch (_) { sheet = null; }

  // after parsing: an error found while the page is still being parsed is
  // fired once listeners placed after the element exist
  const parsed = new Promise((resolve) => {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => setTimeout(resolve), { once: true });
    else resolve();
  });

  class QdiffGenerator extends HTMLElement {
    static get observedAttributes() { return names; }

    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      // constructed style sheets are not inline styles: a page's CSP
      // style-src 'self' allows them (a <style> in the shadow root it blocks)
      root.innerHTML = '<canvas width="28" height="28" part="image" role="img" aria-label="qdiff generator: not started"></canvas><progress max="1" value="0" part="progress" aria-label="qdiff generation progress"></progress><div class="cap" part="caption"></div><button type="button" part="button" hidden></button><div class="msg" role="alert" hidden></div>';
      if (sheet) root.adoptedStyleSheets = [sheet];
      else { const s = document.createElement('style'); s.textContent = css; root.prepend(s); }
      this.canvas = root.querySelector('canvas');
      this.bar = root.querySelector('progress');
      this.cap = root.querySelector('.cap');
      this.button = root.querySelector('button');
      this.msg = root.querySelector('.msg');
      this.button.addEventListener('click', () => { this.button.hidden = true; this.start(); });
      this.started = false;
      this.result = null;
    }

    connectedCallback() {
      if (this.hasAttribute('from-url')) this.fromURL();
      const opts = this.options();
      if (!opts) return;
      this.style.width = `${opts.size}px`;
      if (opts.start === 'click') { this.offer(opts); return; }
      this.io = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) { this.io.disconnect(); this.start(); }
      });
      this.io.observe(this);
    }

    disconnectedCallback() { if (this.io) this.io.disconnect(); }

    attributeChangedCallback() {
      if (this.started && this.isConnected) { this.started = false; this.start(); }
    }

    // offer shows a button with the download it would cost
    async offer(o) {
      this.cap.textContent = `${o.precision.toUpperCase()} · seed ${o.seed}`;
      this.button.textContent = `Generate (${o.precision.toUpperCase()})`;
      this.button.hidden = false;
      try {
        const c = await client();
        const m = c.manifest.models.find((x) => x.precision === o.precision);
        if (m) this.button.textContent = `Generate (${o.precision.toUpperCase()}: ${Q.fmtBytes(m.bytes)} of weights)`;
      } catch (_) { /* the button still works; start() reports the error */ }
    }

    // fromURL copies the page's URL parameters to attributes (the /embed page)
    fromURL() {
      const bad = [];
      for (const [k, v] of new URLSearchParams(location.search)) {
        if (names.includes(k)) this.setAttribute(k, v); else bad.push(`${k} (unknown parameter)`);
      }
      this.unknown = bad;
    }

    options() {
      const o = {};
      const bad = [...(this.unknown || [])];
      for (const k of names) {
        o[k] = read(k, this.getAttribute(k));
        if (o[k] === null) bad.push(`${k}="${this.getAttribute(k)}" (want ${wants(k)})`);
      }
      if (bad.length) { this.fail(`qdiff-generator: ${bad.join('; ')}`); return null; }
      return o;
    }

    emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
      if (window.parent !== window) window.parent.postMessage({ source: 'qdiff', type, detail }, '*');
    }

    fail(message) {
      this.error = message;
      this.msg.textContent = message;
      this.msg.hidden = false;
      this.bar.value = 0;
      this.canvas.setAttribute('aria-label', 'qdiff generator: failed');
      parsed.then(() => this.emit('error', { message }));
    }

    draw(pixels) {
      const ctx = this.canvas.getContext('2d');
      const img = ctx.createImageData(28, 28);
      for (let i = 0; i < 784; i++) {
        const v = pixels[i];
        img.data[4 * i] = v; img.data[4 * i + 1] = v; img.data[4 * i + 2] = v; img.data[4 * i + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
    }

    async start() {
      const o = this.options();
      if (!o || this.started) return;
      this.started = true;
      this.error = null;
      this.msg.hidden = true;
      this.cap.textContent = `${o.precision.toUpperCase()} · seed ${o.seed}`;
      this.canvas.setAttribute('aria-label', `qdiff generator: ${o.precision.toUpperCase()}, seed ${o.seed}, generating`);
      try {
        const c = await client();
        const r = await c.generate({
          precision: o.precision, digit: o.digit, steps: o.steps, guidance: o.guidance, seed: o.seed,
          onStep: (d) => { this.draw(d.pixels); this.bar.value = d.step / d.steps; this.emit('progress', { step: d.step, steps: d.steps }); },
        });
        this.draw(r.pixels);
        this.bar.value = 1;
        this.result = { digit: r.digit, pixels: Array.from(r.pixels), ms: r.ms, label: r.label, confidence: r.confidence };
        const reads = r.label !== null ? ` · reads as ${r.label} (${Math.round(100 * r.confidence)}%)` : '';
        this.cap.textContent = `digit ${r.digit} · ${o.precision.toUpperCase()}${reads}`;
        this.canvas.setAttribute('aria-label', `generated digit ${r.digit}, ${o.precision.toUpperCase()}, seed ${o.seed}${r.label !== null ? `, the 1-bit network reads ${r.label}` : ''}`);
        this.emit('done', this.result);
      } catch (e) {
        this.started = false;
        this.fail(`qdiff-generator: ${e.message}`);
      }
    }
  }
  customElements.define('qdiff-generator', QdiffGenerator);
})();
