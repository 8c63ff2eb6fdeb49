// <qdiff-generator>: a live qdiff generator for any page, loaded by one
// script tag. Several elements on a page share one worker pool and one
// weight cache. Attributes: digit (0-9 or "random"), precision (fp32, w8a8,
// w4a8), steps (1-1000), seed (>= 0), guidance (0-50), size (32-512 px).
// It starts when scrolled into view and fires CustomEvents "progress"
// {step, steps}, "done" {digit, pixels, ms, label, confidence} and "error"
// {message}. Inside an iframe (/embed) it also posts them to the parent.
'use strict';
(() => {
  if (customElements.get('qdiff-generator')) return;
  const script = document.currentScript;
  const base = new URL('.', script ? script.src : location.href);
  const crossOrigin = base.origin !== location.origin;
  const shared = { manifest: null, module: null, workers: [], idle: [], queue: [], bytes: new Map() };

  function manifest() {
    if (!shared.manifest) {
      shared.manifest = fetch(new URL('manifest.json', base)).then((r) => {
        if (!r.ok) throw new Error(`qdiff manifest: HTTP ${r.status}`);
        return r.json();
      });
    }
    return shared.manifest;
  }

  async function sha256Hex(buf) {
    const d = await crypto.subtle.digest('SHA-256', buf);
    return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }

  // model bytes: Cache API, else the network; always sha256-verified; once per page
  function modelBytes(m) {
    if (!shared.bytes.has(m.url)) {
      shared.bytes.set(m.url, (async () => {
        const url = new URL(m.url, base).href;
        let cache = null;
        try { cache = await caches.open('qdiff-weights-v1'); } catch (_) { /* no Cache API */ }
        const hit = cache && await cache.match(url);
        let buf = hit ? await hit.arrayBuffer() : null;
        if (!buf || await sha256Hex(buf) !== m.sha256) {
          const r = await fetch(url);
          if (!r.ok) throw new Error(`weights: HTTP ${r.status}`);
          buf = await r.arrayBuffer();
          if (await sha256Hex(buf) !== m.sha256) throw new Error('weights failed their sha256 check');
          if (cache) await cache.put(url, new Response(buf.slice(0)));
        }
        return buf;
      })());
    }
    return shared.bytes.get(m.url);
  }

  function newWorker(man) {
    const abs = (u) => new URL(u, base).href;
    // a worker script must be same-origin: from another origin, a blob
    // worker imports ours (classic importScripts may cross origins)
    const w = crossOrigin
      ? new Worker(URL.createObjectURL(new Blob([`importScripts(${JSON.stringify(abs(man.worker))});`], { type: 'text/javascript' })))
      : new Worker(abs(man.worker));
    const x = { w, loaded: new Set(), job: null };
    x.ready = new Promise((resolve, reject) => {
      w.onmessage = (e) => (e.data.type === 'ready' ? resolve() : reject(new Error(e.data.error)));
      w.onerror = (e) => reject(new Error(e.message || 'qdiff worker failed to start'));
    });
    if (!shared.module) shared.module = WebAssembly.compileStreaming(fetch(abs(man.wasm))); // once for every worker
    shared.module.then((module) => w.postMessage({ type: 'init', module, wasmExec: abs(man.wasmExec) }),
      () => w.postMessage({ type: 'init', wasm: abs(man.wasm), wasmExec: abs(man.wasmExec) }));
    return x;
  }

  function send(x, msg, onStep) {
    return new Promise((resolve, reject) => {
      x.w.onmessage = (e) => {
        const d = e.data;
        if (d.type === 'step') onStep && onStep(d);
        else if (d.type === 'error') reject(new Error(d.error));
        else if (d.type === 'loaded') (d.error ? reject(new Error(d.error)) : resolve(d));
        else if (d.type === 'done') resolve(d);
      };
      x.w.onerror = (e) => reject(new Error(e.message || 'qdiff worker error'));
      x.w.postMessage(msg);
    });
  }

  // schedule runs queued jobs on idle workers, starting workers up to the cap
  async function schedule() {
    const man = await manifest();
    const cap = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 4));
    while (shared.queue.length && (shared.idle.length || shared.workers.length < cap)) {
      let x = shared.idle.pop();
      if (!x) { x = newWorker(man); shared.workers.push(x); }
      const job = shared.queue.shift();
      run(x, job, man).then(job.resolve, job.reject).finally(() => { shared.idle.push(x); schedule(); });
    }
  }

  async function run(x, job, man) {
    await x.ready;
    const m = man.models.find((mm) => mm.precision === job.precision);
    if (!m) throw new Error(`this qdiff site has no ${job.precision} model`);
    if (!x.loaded.has(m.precision)) {
      await send(x, { type: 'load', key: m.precision, bytes: (await modelBytes(m)).slice(0) });
      x.loaded.add(m.precision);
    }
    if (man.classifier && !x.loaded.has('bnet')) {
      await send(x, { type: 'loadClassifier', bytes: (await modelBytes(man.classifier)).slice(0) });
      x.loaded.add('bnet');
    }
    return send(x, { type: 'generate', id: 0, key: m.precision, digit: job.digit, steps: job.steps, guidance: job.guidance, seed: job.seed, classify: x.loaded.has('bnet') }, job.onStep);
  }

  function generate(job) {
    return new Promise((resolve, reject) => {
      shared.queue.push({ ...job, resolve, reject });
      schedule().catch(reject);
    });
  }

  const rules = {
    digit: (v) => (v === null || v === 'random' ? -1 : /^[0-9]$/.test(v) ? Number(v) : null),
    precision: (v) => (v === null ? 'w8a8' : ['fp32', 'w8a8', 'w4a8'].includes(v) ? v : null),
    steps: (v) => num(v, 20, 1, 1000, true),
    seed: (v) => num(v, 1, 0, 2 ** 53, true),
    guidance: (v) => num(v, 3, 0, 50, false),
    size: (v) => num(v, 112, 32, 512, true),
  };
  const wants = {
    digit: '0-9 or random', precision: 'fp32, w8a8 or w4a8', steps: 'a whole number 1-1000',
    seed: 'a whole number >= 0', guidance: 'a number 0-50', size: 'a whole number of pixels 32-512',
  };
  function num(v, dflt, lo, hi, int) {
    if (v === null) return dflt;
    const x = Number(v);
    if (v.trim() === '' || !Number.isFinite(x) || x < lo || x > hi || (int && !Number.isInteger(x))) return null;
    return x;
  }

  const css = `:host{display:inline-block;font:12px system-ui,sans-serif;color:inherit}
    canvas{display:block;image-rendering:pixelated;background:#000;border-radius:4px}
    progress{display:block;width:100%;height:4px}
    .msg{color:#b3261e;max-width:100%}
    .cap{opacity:.8;margin-top:2px}`;

  class QdiffGenerator extends HTMLElement {
    static get observedAttributes() { return Object.keys(rules); }

    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      root.innerHTML = `<style>${css}</style><canvas width="28" height="28" part="image"></canvas><progress max="1" value="0" part="progress"></progress><div class="cap" part="caption"></div><div class="msg" role="alert" hidden></div>`;
      this.canvas = root.querySelector('canvas');
      this.bar = root.querySelector('progress');
      this.cap = root.querySelector('.cap');
      this.msg = root.querySelector('.msg');
      this.started = false;
      this.result = null;
    }

    connectedCallback() {
      if (this.hasAttribute('from-url')) this.fromURL();
      const opts = this.options();
      if (!opts) return;
      this.canvas.style.width = this.canvas.style.height = `${opts.size}px`;
      this.style.width = `${opts.size}px`;
      this.io = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) { this.io.disconnect(); this.start(); }
      });
      this.io.observe(this);
    }

    disconnectedCallback() { if (this.io) this.io.disconnect(); }

    attributeChangedCallback() {
      if (this.started && this.isConnected) { this.started = false; this.start(); }
    }

    // fromURL copies the page's URL parameters to attributes (the /embed page)
    fromURL() {
      const bad = [];
      for (const [k, v] of new URLSearchParams(location.search)) {
        if (k in rules) this.setAttribute(k, v); else bad.push(`${k} (unknown parameter)`);
      }
      this.unknown = bad;
    }

    options() {
      const o = {};
      const bad = [...(this.unknown || [])];
      for (const k of Object.keys(rules)) {
        o[k] = rules[k](this.getAttribute(k));
        if (o[k] === null) bad.push(`${k}="${this.getAttribute(k)}" (want ${wants[k]})`);
      }
      if (bad.length) { this.fail(`qdiff-generator: ${bad.join('; ')}`); return null; }
      return o;
    }

    emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
      if (window.parent !== window) window.parent.postMessage({ source: 'qdiff', type, detail }, '*');
    }

    fail(message) {
      this.msg.textContent = message;
      this.msg.hidden = false;
      this.emit('error', { message });
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
      this.msg.hidden = true;
      this.cap.textContent = `${o.precision.toUpperCase()} · seed ${o.seed}`;
      try {
        const r = await generate({
          precision: o.precision, digit: o.digit, steps: o.steps, guidance: o.guidance, seed: o.seed,
          onStep: (d) => { this.draw(d.pixels); this.bar.value = d.step / d.steps; this.emit('progress', { step: d.step, steps: d.steps }); },
        });
        this.draw(r.pixels);
        this.bar.value = 1;
        this.result = { digit: r.digit, pixels: Array.from(r.pixels), ms: r.ms, label: r.label, confidence: r.confidence };
        this.cap.textContent = `digit ${r.digit} · ${o.precision.toUpperCase()} · seed ${o.seed}` +
          (r.label !== null ? ` · reads as ${r.label} (${Math.round(100 * r.confidence)}%)` : '');
        this.emit('done', this.result);
      } catch (e) {
        this.fail(`qdiff-generator: ${e.message}`);
      }
    }
  }
  customElements.define('qdiff-generator', QdiffGenerator);
})();
