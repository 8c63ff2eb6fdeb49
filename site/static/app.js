// qdiff page: downloads and verifies weights, runs a pool of wasm workers,
// draws every denoising step.
'use strict';
(() => {
  const manifest = JSON.parse(document.getElementById('manifest').textContent);
  const $ = (id) => document.getElementById(id);
  const form = $('controls');
  const errBox = $('error');
  const limits = {
    digit: [-1, 9], n: [1, 16], steps: [1, 1000], guidance: [0, 50], seed: [0, 2 ** 53],
  };
  let maxWorkers = 4;
  const state = { workers: [], bytesDownloaded: 0, running: false, runId: 0 };
  window.qdiff = { state, done: null, results: [] }; // for tests and curious people

  function showError(msg) {
    errBox.textContent = msg;
    errBox.hidden = !msg;
  }

  // URL parameters override the form; bad ones are reported, not applied.
  function applyParams() {
    const p = new URLSearchParams(location.search);
    const bad = [];
    for (const [k, v] of p) {
      if (k === 'precision') {
        if (manifest.models.some((m) => m.precision === v)) form.elements.precision.value = v;
        else bad.push(`precision=${v} (want ${manifest.models.map((m) => m.precision).join(', ')})`);
        continue;
      }
      if (k === 'autostart') continue;
      if (k === 'sampler') {
        if (v === 'ddim' || v === 'ddpm') form.elements.sampler.value = v;
        else bad.push(`sampler=${v} (want ddim or ddpm)`);
        continue;
      }
      if (k === 'workers') {
        const w = Number(v);
        if (Number.isInteger(w) && w >= 1 && w <= 16) maxWorkers = w;
        else bad.push(`workers=${v} (want 1..16)`);
        continue;
      }
      if (k === 'compare') {
        if (v === '1' || v === '0') form.elements.compare.checked = v === '1';
        else bad.push(`compare=${v} (want 0 or 1)`);
        continue;
      }
      if (!(k in limits)) { bad.push(`${k} (unknown parameter)`); continue; }
      const x = Number(v);
      const [lo, hi] = limits[k];
      if (v === '' || !Number.isInteger(k === 'guidance' ? Math.round(x * 2) : x) || x < lo || x > hi) {
        bad.push(`${k}=${v} (want ${lo}..${hi})`);
        continue;
      }
      form.elements[k].value = String(x);
    }
    if (bad.length) showError(`Ignored URL parameters: ${bad.join('; ')}`);
    return p.get('autostart') === '1' && !bad.length;
  }

  function readForm() {
    const f = form.elements;
    const o = {
      digit: Number(f.digit.value), n: Number(f.n.value), steps: Number(f.steps.value),
      guidance: Number(f.guidance.value), seed: Number(f.seed.value), precision: f.precision.value,
      compare: f.compare.checked, sampler: f.sampler.value,
    };
    for (const k of Object.keys(limits)) {
      const [lo, hi] = limits[k];
      if (!Number.isFinite(o[k]) || o[k] < lo || o[k] > hi) throw new Error(`${k} must be between ${lo} and ${hi}`);
    }
    if (!Number.isInteger(o.n) || !Number.isInteger(o.steps) || !Number.isInteger(o.seed)) throw new Error('images, steps and seed must be whole numbers');
    if (o.sampler === 'ddpm') o.steps = 1000; // ancestral sampling runs every step
    return o;
  }

  async function sha256Hex(buf) {
    const d = await crypto.subtle.digest('SHA-256', buf);
    return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }

  // Weights: Cache API first, else download with progress; always verified.
  const weightCache = new Map();
  async function weights(precision) {
    const m = manifest.models.find((x) => x.precision === precision);
    if (!m) throw new Error(`no ${precision} model on this site`);
    return fetchModel(m, `${precision.toUpperCase()} weights`);
  }

  // fetchModel returns the verified bytes of m, fetching them once even
  // when several workers ask at the same time (a failure is not kept).
  function fetchModel(m, what) {
    if (!weightCache.has(m.url)) {
      const p = readModel(m, what);
      weightCache.set(m.url, p);
      p.catch(() => weightCache.delete(m.url));
    }
    return weightCache.get(m.url);
  }

  async function readModel(m, what) {
    const url = new URL(m.url, location.href).href;
    let cache = null;
    try { cache = await caches.open('qdiff-weights-v1'); } catch (_) { /* no Cache API (file:// or private mode) */ }
    let buf = null;
    const hit = cache && await cache.match(url);
    if (hit) buf = await hit.arrayBuffer();
    if (!buf) {
      $('download').hidden = false;
      $('download-label').textContent = `Downloading ${what}`;
      const resp = await fetch(url);
      if (!resp.ok) throw new Error(`${what}: download failed, HTTP ${resp.status}`);
      const reader = resp.body.getReader();
      const parts = [];
      let got = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        got += value.length;
        $('download-bar').value = got / m.bytes;
      }
      const out = new Uint8Array(got);
      let off = 0;
      for (const p of parts) { out.set(p, off); off += p.length; }
      buf = out.buffer;
      state.bytesDownloaded += got;
      $('download').hidden = true;
      if (await sha256Hex(buf) !== m.sha256) throw new Error(`${what} failed their sha256 check; reload the page`);
      if (cache) await cache.put(url, new Response(buf.slice(0)));
    } else if (await sha256Hex(buf) !== m.sha256) {
      await cache.delete(url);
      throw new Error(`cached ${what} failed their sha256 check; reload the page`);
    }
    $('t-bytes').textContent = `${(state.bytesDownloaded / 1e6).toFixed(2)} MB`;
    return buf;
  }

  // loadClassifier puts the binary network into a worker (once).
  async function loadClassifier(x) {
    if (!manifest.classifier || x.loaded.has('bnet')) return !!manifest.classifier;
    const buf = await fetchModel(manifest.classifier, 'binary classifier');
    await call(x, { type: 'loadClassifier', bytes: buf.slice(0) });
    x.loaded.add('bnet');
    return true;
  }

  // compiled: the wasm, fetched and compiled once for every worker (a
  // compiled module can be posted to workers; each fetching it would
  // download it again when they start together).
  let wasmModule = null;
  function compiled() {
    if (!wasmModule) wasmModule = WebAssembly.compileStreaming(fetch(new URL(manifest.wasm, location.href).href));
    return wasmModule;
  }

  function startWorker() {
    const w = new Worker(manifest.worker);
    const wasmExec = new URL(manifest.wasmExec, location.href).href;
    const ready = new Promise((resolve, reject) => {
      w.onmessage = (e) => (e.data.type === 'ready' ? resolve() : reject(new Error(e.data.error)));
      w.onerror = (e) => reject(new Error(e.message || 'worker failed to start'));
      compiled().then((module) => w.postMessage({ type: 'init', module, wasmExec }),
        (e) => reject(new Error(`the wasm program did not compile: ${e.message}`)));
    });
    return { w, ready, loaded: new Set() };
  }

  function pool() {
    const n = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, maxWorkers));
    while (state.workers.length < n) state.workers.push(startWorker());
    $('t-workers').textContent = String(n);
    return state.workers;
  }

  function stopWorkers() {
    for (const x of state.workers) x.w.terminate();
    state.workers = [];
  }

  function draw(canvas, pixels) {
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = pixels[i];
      img.data[4 * i] = v; img.data[4 * i + 1] = v; img.data[4 * i + 2] = v; img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  // heat draws |a-b| from black through red to yellow and returns its mean.
  function heat(canvas, a, b) {
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(28, 28);
    let sum = 0;
    for (let i = 0; i < 784; i++) {
      const d = Math.abs(a[i] - b[i]);
      sum += d;
      const t = Math.min(1, d / 64);
      img.data[4 * i] = Math.round(255 * Math.min(1, 2 * t));
      img.data[4 * i + 1] = Math.round(255 * Math.max(0, 2 * t - 1));
      img.data[4 * i + 2] = 0;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    return sum / 784;
  }

  // call sends one request to a worker and resolves with its answer;
  // requests to the same worker are queued, never interleaved.
  function call(worker, msg, onStep) {
    const send = () => new Promise((resolve, reject) => {
      worker.w.onmessage = (e) => {
        const d = e.data;
        if (d.type === 'step') onStep && onStep(d);
        else if (d.type === 'loaded') (d.error ? reject(new Error(d.error)) : resolve(d));
        else if (d.type === 'done') resolve(d);
        else if (d.type === 'error') reject(new Error(d.error));
      };
      worker.w.onerror = (e) => reject(new Error(e.message || 'worker error'));
      worker.w.postMessage(msg);
    });
    const p = (worker.chain || Promise.resolve()).then(send, send);
    worker.chain = p.catch(() => {});
    return p;
  }

  async function run() {
    showError('');
    let o;
    try { o = readForm(); } catch (e) { showError(e.message); return; }
    const runId = ++state.runId;
    state.running = true;
    $('generate').disabled = true;
    $('cancel').disabled = false;
    window.qdiff.results = [];
    const grid = $('grid');
    grid.textContent = '';
    grid.classList.toggle('compare', o.compare);
    // compare mode: FP32 beside the chosen precision (W8A8 if FP32 was chosen)
    const precs = o.compare ? ['fp32', o.precision === 'fp32' ? 'w8a8' : o.precision] : [o.precision];
    const cells = [];
    const canvas = () => { const c = document.createElement('canvas'); c.width = 28; c.height = 28; return c; };
    for (let i = 0; i < o.n; i++) {
      const fig = document.createElement('figure');
      const cap = document.createElement('figcaption');
      cap.textContent = `seed ${o.seed + i}`;
      const cell = { cap, c: {} };
      if (o.compare) {
        const row = document.createElement('div');
        row.className = 'row';
        const labels = document.createElement('div');
        labels.className = 'row';
        for (const p of precs) { cell.c[p] = canvas(); row.append(cell.c[p]); }
        cell.heat = canvas();
        row.append(cell.heat);
        for (const t of [...precs.map((p) => p.toUpperCase()), '|difference|']) {
          const sp = document.createElement('span'); sp.textContent = t; labels.append(sp);
        }
        fig.append(row, labels, cap);
      } else {
        cell.c[precs[0]] = canvas();
        fig.append(cell.c[precs[0]], cap);
      }
      grid.append(fig);
      cells.push(cell);
    }
    const progress = $('progress');
    progress.value = 0;
    const t0 = performance.now();
    const phases = { start: t0 / 1000 };
    try {
      const ws = pool(); // workers compile the wasm while the weights are read
      const bufs = {};
      for (const p of precs) bufs[p] = await weights(p);
      phases.weights = performance.now() / 1000;
      await Promise.all(ws.map((x) => x.ready));
      phases.workers = performance.now() / 1000;
      await Promise.all(ws.map(async (x) => {
        for (const key of precs) {
          if (!x.loaded.has(key)) { await call(x, { type: 'load', key, bytes: bufs[key].slice(0) }); x.loaded.add(key); }
        }
        await loadClassifier(x);
      }));
      phases.loaded = performance.now() / 1000;
      const jobs = [];
      for (let i = 0; i < o.n; i++) for (const key of precs) jobs.push({ i, key });
      let stepsDone = 0;
      const total = jobs.length * o.steps;
      let next = 0;
      const stepMs = [];
      await Promise.all(ws.map(async (x) => {
        while (next < jobs.length && runId === state.runId) {
          const { i, key } = jobs[next++];
          const r = await call(x, { type: 'generate', id: i, key, digit: o.digit, steps: o.steps, guidance: o.guidance, seed: o.seed + i, classify: x.loaded.has('bnet'), sampler: o.sampler }, (d) => {
            draw(cells[i].c[key], d.pixels);
            stepsDone++;
            progress.value = stepsDone / total;
          });
          draw(cells[i].c[key], r.pixels);
          if (key === o.precision || !o.compare) stepMs.push(r.ms / o.steps);
          const res = window.qdiff.results[i] || (window.qdiff.results[i] = { seed: o.seed + i, digit: r.digit });
          res[key] = Array.from(r.pixels);
          if (!o.compare) res.pixels = res[key];
          cells[i].cap.textContent = `digit ${r.digit} · seed ${o.seed + i}`;
          if (r.label !== null && (key === o.precision || !o.compare)) {
            res.label = r.label;
            res.confidence = r.confidence;
            const tag = document.createElement('span');
            tag.className = r.label === r.digit ? 'label' : 'label miss';
            tag.title = 'label from the 1-bit network (XNOR + popcount)';
            tag.textContent = `reads as ${r.label} (${Math.round(100 * r.confidence)}%)`;
            cells[i].cap.append(document.createElement('br'), tag);
          }
          if (o.compare && precs.every((p) => res[p])) {
            res.meanAbsDiff = heat(cells[i].heat, res[precs[0]], res[precs[1]]);
            cells[i].cap.append(` · mean |difference| ${res.meanAbsDiff.toFixed(1)} grey levels`);
          }
        }
      }));
      const secs = (performance.now() - t0) / 1000;
      const avg = stepMs.reduce((a, b) => a + b, 0) / stepMs.length;
      $('t-step').textContent = `${avg.toFixed(1)} ms (${o.precision.toUpperCase()})`;
      $('t-ips').textContent = (o.n / secs).toFixed(2);
      window.qdiff.done = { ok: true, seconds: secs, msPerStep: avg, sinceLoad: performance.now() / 1000, phases };
    } catch (e) {
      if (runId === state.runId) {
        showError(`Generation failed: ${e.message}`);
        window.qdiff.done = { ok: false, error: e.message };
      }
    } finally {
      if (runId === state.runId) {
        state.running = false;
        $('generate').disabled = false;
        $('cancel').disabled = true;
      }
    }
  }

  function cancel() {
    state.runId++;
    stopWorkers();
    state.running = false;
    $('generate').disabled = false;
    $('cancel').disabled = true;
    showError('Canceled.');
    window.qdiff.done = { ok: false, canceled: true };
  }

  // Kernel benchmark in a worker: resolves to {ms, ops} (make bench-browser).
  window.qdiff.bench = async (op, dims, reps) => {
    const ws = pool();
    await ws[0].ready;
    const d = await call(ws[0], { type: 'bench', id: -1, op, dims, reps });
    return { ms: d.ms, ops: d.ops };
  };

  // Binary classifier benchmark in a worker: mean µs per image over reps
  // passes of pixels (whole 28x28 images), one image at a time.
  window.qdiff.benchClassify = async (pixels, reps) => {
    const ws = pool();
    await ws[0].ready;
    if (!(await loadClassifier(ws[0]))) throw new Error('this site has no binary classifier');
    const d = await call(ws[0], { type: 'benchClassify', id: -1, pixels: new Uint8Array(pixels).buffer, reps });
    return d.us;
  };

  // for pad.js: the pad runs its own worker so it never waits for a grid
  window.qdiff.internal = { startWorker, loadClassifier, fetchModel, call, showError, manifest };

  const syncSteps = () => { form.elements.steps.disabled = form.elements.sampler.value === 'ddpm'; };
  form.elements.sampler.addEventListener('change', syncSteps);
  syncSteps();
  form.addEventListener('submit', (e) => { e.preventDefault(); if (!state.running) run(); });
  $('cancel').addEventListener('click', cancel);
  const autostart = applyParams();
  syncSteps();
  if (autostart) run();
})();
