// qdiff page: the form, the grid of live denoising steps, downloads of the
// results, the share link, the offline cache. Workers, weights and the
// wasm go through the shared client (client.js).
'use strict';
(() => {
  const manifest = JSON.parse(document.getElementById('manifest').textContent);
  const Q = self.qdiffClient;
  const client = Q.create(manifest, location.href);
  const $ = (id) => document.getElementById(id);
  const form = $('controls');
  const settings = $('settings');
  const errBox = $('error');
  const statusLine = $('status');
  const progress = $('progress');
  const fields = ['digit', 'n', 'sampler', 'steps', 'guidance', 'precision', 'seed', 'compare'];
  const state = { running: false, runId: 0, cells: [], precs: [], run: null };
  window.qdiff = { state, client, done: null, results: [], offlineReady: false }; // for tests and curious people

  function showError(msg) {
    errBox.textContent = msg;
    errBox.hidden = !msg;
  }
  function say(msg) { statusLine.textContent = msg; }

  // --- downloads: one row per file in flight, gone when it ends; shown only
  // while a generation runs (a download that goes on after a failure or a
  // cancel, the program's say, keeps its bytes for the next try unseen) ---
  const rows = new Map();
  function clearDownloads() {
    for (const r of rows.values()) r.li.remove();
    rows.clear();
    $('downloads').hidden = true;
  }
  client.onDownload = (d) => {
    let row = rows.get(d.id);
    if (!d.done && !state.running) return;
    if (d.done) {
      if (row) { row.li.remove(); rows.delete(d.id); }
      $('downloads').hidden = rows.size === 0;
      $('t-bytes').textContent = client.wireBytes ? Q.fmtBytes(client.wireBytes) : '–';
      return;
    }
    if (!row) {
      const li = document.createElement('li');
      const text = document.createElement('span');
      const bar = document.createElement('progress');
      bar.max = 1;
      bar.setAttribute('aria-label', `Downloading the ${d.what}`);
      li.append(text, ' ', bar);
      $('downloads').append(li);
      $('downloads').hidden = false;
      row = { li, text, bar };
      rows.set(d.id, row);
    }
    const pct = d.total ? Math.min(100, Math.round(100 * d.got / d.total)) : 0;
    row.text.textContent = `Downloading the ${d.what}: ${Q.fmtBytes(d.got)} of ${d.total ? Q.fmtBytes(d.total) : '?'} (${pct}%)`;
    row.bar.value = d.total ? d.got / d.total : 0;
  };

  // --- the form, the URL and their limits (one table: site.Params) ---
  const precisions = manifest.models.map((m) => m.precision);
  const enums = {
    precision: (v) => precisions.includes(v),
    sampler: (v) => v === 'ddim' || v === 'ddpm',
    compare: (v) => v === '0' || v === '1',
  };
  const wants = { precision: precisions.join(', '), sampler: 'ddim or ddpm', compare: '0 or 1' };

  function setField(k, v) {
    if (k === 'compare') form.elements.compare.checked = v === '1';
    else form.elements[k].value = v;
  }

  // URL parameters set the form; bad ones are reported and not applied
  let workersParam = null;
  function applyParams() {
    const p = new URLSearchParams(location.search);
    const bad = [];
    for (const [k, v] of p) {
      if (k === 'autostart') continue;
      if (k === 'workers') {
        const w = Number(v);
        if (Number.isInteger(w) && w >= 1 && w <= 16) { client.cap = w; workersParam = v; }
        else bad.push(`workers=${v} (want 1 to 16)`);
      } else if (k in enums) {
        if (enums[k](v)) setField(k, v); else bad.push(`${k}=${v} (want ${wants[k]})`);
      } else if (fields.includes(k)) {
        if (Q.check(k, v) !== null) setField(k, String(Number(v))); else bad.push(`${k}=${v} (want ${Q.want(k)})`);
      } else {
        bad.push(`${k} (unknown parameter)`);
      }
    }
    if (bad.length) showError(`Ignored URL parameters: ${bad.join('; ')}`);
    return p.get('autostart') === '1' && !bad.length;
  }

  // formParams is the form as URL parameters; syncURL puts them in the
  // address bar, so that a copied link reproduces the same images
  function formParams() {
    const p = new URLSearchParams();
    for (const k of fields) p.set(k, k === 'compare' ? (form.elements.compare.checked ? '1' : '0') : form.elements[k].value);
    if (workersParam) p.set('workers', workersParam);
    return p;
  }
  function syncURL() {
    history.replaceState(null, '', `${location.pathname}?${formParams()}`);
  }

  // readForm checks every field against the same limits as the URL
  function readForm() {
    const f = form.elements;
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    const o = { precision: f.precision.value, compare: f.compare.checked, sampler: f.sampler.value };
    const bad = [];
    for (const k of ['digit', 'n', 'steps', 'guidance', 'seed']) {
      o[k] = Q.check(k, f[k].value);
      if (o[k] === null) { bad.push(`${f[k].dataset.name || k} must be ${Q.want(k)}`); f[k].setAttribute('aria-invalid', 'true'); }
    }
    if (bad.length) {
      const first = form.querySelector('[aria-invalid]');
      if (first) first.focus();
      throw new Error(`${bad.join('; ')}.`);
    }
    if (o.sampler === 'ddpm') o.steps = 1000; // ancestral sampling runs every step
    return o;
  }

  // --- drawing and exporting images ---
  function draw(canvas, pixels) {
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = pixels[i];
      img.data[4 * i] = v; img.data[4 * i + 1] = v; img.data[4 * i + 2] = v; img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }

  // heat draws |a-b| from black through red to yellow and returns its mean
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

  // sheet lays rows of 28x28 canvases out at `scale` pixels per pixel
  // (nearest neighbour, no smoothing) with a one-pixel grey border
  const scale = 10;
  function sheet(rowsOf) {
    const cols = Math.max(...rowsOf.map((r) => r.length));
    const out = document.createElement('canvas');
    const cell = 29 * scale;
    out.width = cols * cell + scale;
    out.height = rowsOf.length * cell + scale;
    const ctx = out.getContext('2d');
    ctx.imageSmoothingEnabled = false;
    ctx.fillStyle = 'rgb(64,64,64)';
    ctx.fillRect(0, 0, out.width, out.height);
    rowsOf.forEach((r, y) => r.forEach((c, x) => ctx.drawImage(c, scale + x * cell, scale + y * cell, 28 * scale, 28 * scale)));
    return out;
  }
  const figureCanvases = (i) => [...state.cells[i].fig.querySelectorAll('canvas')];
  function gridSheet() {
    if (state.run.compare) return sheet(state.cells.map((_, i) => figureCanvases(i)));
    const all = state.cells.map((_, i) => figureCanvases(i)[0]);
    const rowsOf = [];
    for (let i = 0; i < all.length; i += 8) rowsOf.push(all.slice(i, i + 8));
    return sheet(rowsOf);
  }
  function save(canvas, name) {
    canvas.toBlob((blob) => {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    }, 'image/png');
  }
  const runName = () => {
    const o = state.run;
    return `qdiff-${o.compare ? 'fp32-vs-' : ''}${o.precision}-${o.sampler}${o.steps}-g${o.guidance}`;
  };
  window.qdiff.png = (i) => (i < 0 ? gridSheet() : sheet([figureCanvases(i)])).toDataURL('image/png');

  // --- the grid of results ---
  function newCanvas(label) {
    const c = document.createElement('canvas');
    c.width = 28; c.height = 28;
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', label);
    return c;
  }

  function buildGrid(o, precs) {
    const grid = $('grid');
    grid.textContent = '';
    grid.classList.toggle('compare', o.compare);
    state.cells = [];
    for (let i = 0; i < o.n; i++) {
      const seed = o.seed + i;
      const fig = document.createElement('figure');
      const cell = { fig, c: {}, label: {}, seed };
      cell.cap = document.createElement('figcaption');
      cell.what = document.createElement('span');
      cell.what.textContent = `seed ${seed} · waiting`;
      cell.diff = document.createElement('span');
      cell.cap.append(cell.what, cell.diff);
      const panes = document.createElement('div');
      panes.className = 'panes';
      for (const p of precs) {
        const pane = document.createElement('div');
        cell.c[p] = newCanvas(`${p.toUpperCase()} image, seed ${seed}, not generated yet`);
        cell.label[p] = document.createElement('span');
        cell.label[p].className = 'label';
        const tag = document.createElement('span');
        tag.className = 'tag';
        tag.textContent = o.compare ? p.toUpperCase() : '';
        pane.append(cell.c[p], tag, cell.label[p]);
        panes.append(pane);
      }
      if (o.compare) {
        const pane = document.createElement('div');
        cell.heat = newCanvas(`difference between ${precs.map((p) => p.toUpperCase()).join(' and ')}, seed ${seed}, not computed yet`);
        const tag = document.createElement('span');
        tag.className = 'tag';
        tag.textContent = '|difference|';
        pane.append(cell.heat, tag);
        panes.append(pane);
      }
      const dl = document.createElement('button');
      dl.type = 'button';
      dl.className = 'dl';
      dl.textContent = 'PNG';
      dl.disabled = true;
      dl.setAttribute('aria-label', `Download image ${i + 1} (seed ${seed}) as PNG`);
      dl.addEventListener('click', () => save(sheet([figureCanvases(i)]), `${runName()}-seed${seed}.png`));
      cell.dl = dl;
      fig.append(panes, cell.cap, dl);
      grid.append(fig);
      state.cells.push(cell);
    }
  }

  function finishCell(o, precs, i, key, r) {
    const cell = state.cells[i];
    const res = window.qdiff.results[i] || (window.qdiff.results[i] = { seed: cell.seed, digit: r.digit });
    res[key] = Array.from(r.pixels);
    if (!o.compare) res.pixels = res[key];
    draw(cell.c[key], r.pixels);
    let name = `${key.toUpperCase()} image of digit ${r.digit}, seed ${cell.seed}`;
    if (r.label !== null) {
      const pct = Math.round(100 * r.confidence);
      cell.label[key].textContent = `reads as ${r.label} (${pct}%)`;
      cell.label[key].className = r.label === r.digit ? 'label' : 'label miss';
      cell.label[key].title = 'what the 1-bit network (XNOR + popcount) reads';
      name += `, the 1-bit network reads ${r.label}`;
      if (key === o.precision) { res.label = r.label; res.confidence = r.confidence; }
      res.labels = res.labels || {};
      res.labels[key] = r.label;
    }
    cell.c[key].setAttribute('aria-label', name);
    cell.what.textContent = `digit ${r.digit} · seed ${cell.seed}`;
    if (o.compare && precs.every((p) => res[p])) {
      res.meanAbsDiff = heat(cell.heat, res[precs[0]], res[precs[1]]);
      cell.diff.textContent = ` · mean |difference| ${res.meanAbsDiff.toFixed(1)} grey levels`;
      cell.heat.setAttribute('aria-label', `difference between ${precs.map((p) => p.toUpperCase()).join(' and ')}, seed ${cell.seed}: mean ${res.meanAbsDiff.toFixed(1)} grey levels`);
    }
    if (precs.every((p) => res[p])) cell.dl.disabled = false;
  }

  // --- running ---
  function busy(on) {
    state.running = on;
    const hadFocus = document.activeElement;
    settings.disabled = on;
    $('generate').disabled = on;
    $('cancel').disabled = !on;
    // keep the keyboard where it was: Generate hands focus to Cancel and back
    if (on && (hadFocus === $('generate') || settings.contains(hadFocus))) $('cancel').focus();
    if (!on && (hadFocus === $('cancel') || hadFocus === document.body || hadFocus === null)) $('generate').focus();
  }

  async function run() {
    showError('');
    let o;
    try { o = readForm(); } catch (e) { showError(e.message); return; }
    syncURL();
    const runId = ++state.runId;
    // compare mode: FP32 beside the chosen precision (W8A8 if FP32 was chosen)
    const precs = o.compare ? ['fp32', o.precision === 'fp32' ? 'w8a8' : o.precision] : [o.precision];
    o.precision = precs[precs.length - 1];
    state.run = o;
    state.precs = precs;
    window.qdiff.results = [];
    window.qdiff.done = null;
    busy(true);
    $('save-grid').disabled = true;
    buildGrid(o, precs);
    progress.value = 0;
    const total = o.n * precs.length * o.steps;
    let stepsDone = 0;
    say(`Generating ${o.n} image${o.n > 1 ? 's' : ''} (${precs.map((p) => p.toUpperCase()).join(' and ')}, ${o.sampler.toUpperCase()} ${o.steps} steps)… Escape or Cancel stops.`);
    const t0 = performance.now();
    // when the first job passed each phase, in seconds since navigation
    const phases = { start: t0 / 1000 };
    const onPhase = (name) => { if (!(name in phases)) phases[name] = performance.now() / 1000; };
    const stepMs = [];
    try {
      const jobs = [];
      for (let i = 0; i < o.n; i++) {
        for (const key of precs) {
          jobs.push(client.generate({
            precision: key, digit: o.digit, steps: o.steps, guidance: o.guidance, seed: o.seed + i, sampler: o.sampler, onPhase,
            onStep: (d) => {
              if (runId !== state.runId) return;
              draw(state.cells[i].c[key], d.pixels);
              stepsDone++;
              progress.value = stepsDone / total;
            },
          }).then((r) => {
            if (runId !== state.runId) return;
            if (key === o.precision) stepMs.push(r.ms / o.steps);
            finishCell(o, precs, i, key, r);
          }));
        }
      }
      await Promise.all(jobs);
      if (runId !== state.runId) return;
      const secs = (performance.now() - t0) / 1000;
      const avg = stepMs.reduce((a, b) => a + b, 0) / stepMs.length;
      $('t-step').textContent = `${avg.toFixed(1)} ms (${o.precision.toUpperCase()})`;
      $('t-ips').textContent = (o.n / secs).toFixed(2);
      $('t-workers').textContent = String(client.workers.length);
      progress.value = 1;
      say(`Done: ${o.n} image${o.n > 1 ? 's' : ''} in ${secs.toFixed(1)} s. The address bar now links to these exact images.`);
      $('save-grid').disabled = false;
      window.qdiff.done = { ok: true, seconds: secs, msPerStep: avg, sinceLoad: performance.now() / 1000, phases };
      offline(true);
    } catch (e) {
      if (runId !== state.runId) return;
      client.stop();
      progress.value = 0;
      clearDownloads();
      markUnfinished('not generated');
      say('');
      showError(`Generation failed: ${e.message}`);
      window.qdiff.done = { ok: false, error: e.message };
    } finally {
      if (runId === state.runId) busy(false);
      $('t-bytes').textContent = client.wireBytes ? Q.fmtBytes(client.wireBytes) : '–';
    }
  }

  function markUnfinished(why) {
    for (const cell of state.cells) {
      if (cell.dl.disabled) {
        cell.what.textContent = `seed ${cell.seed} · ${why}`;
        for (const c of Object.values(cell.c)) c.setAttribute('aria-label', `seed ${cell.seed}: ${why}`);
      }
    }
  }

  function cancel() {
    if (!state.running) return;
    state.runId++;
    client.stop();
    const done = state.cells.filter((c) => !c.dl.disabled).length;
    progress.value = 0;
    markUnfinished('canceled');
    clearDownloads();
    busy(false);
    showError('');
    say(`Canceled: ${done} of ${state.cells.length} images finished. Press Generate to start again.`);
    window.qdiff.done = { ok: false, canceled: true };
  }

  // --- offline: a service worker keeps the pages, the program and the weights ---
  // offline checks what is stored; store (after a generation, when the
  // program is in the HTTP cache) also puts the program into the store
  async function offline(store) {
    if (!('serviceWorker' in navigator) || !window.caches) return;
    try {
      const reg = await navigator.serviceWorker.ready;
      if (!reg.active) return;
      // the program came before the worker took over: store it now
      const assets = await caches.open('qdiff-assets-v1');
      const wasm = client.abs(manifest.wasm);
      if (!(await caches.match(wasm))) {
        if (!store) return;
        await assets.add(wasm);
      }
      const have = [];
      for (const m of manifest.models) if (await caches.match(client.abs(m.url))) have.push(m.precision.toUpperCase());
      if (!have.length || !(await caches.match(new URL('./', location.href).href))) return;
      window.qdiff.offlineReady = true;
      $('offline').textContent = `Offline-ready: the page, the program and the ${have.join(', ')} weights are stored in this browser; it works without a network from now on.`;
    } catch (_) { /* no offline copy: the page works online as before */ }
  }
  if ('serviceWorker' in navigator && (location.protocol === 'https:' || location.hostname === 'localhost' || location.hostname === '127.0.0.1')) {
    navigator.serviceWorker.register('sw.js').then(() => offline(false), () => {});
  }

  // Kernel benchmark in a worker: resolves to {ms, ops} (make bench-browser).
  window.qdiff.bench = async (op, dims, reps) => {
    const x = await client.worker();
    const d = await client.call(x, { type: 'bench', id: -1, op, dims, reps });
    return { ms: d.ms, ops: d.ops };
  };

  // Per-layer profile of reps guided DDIM steps of a precision's model in
  // a worker (make bench-browser): {steps, forwards, kinds, layers}.
  window.qdiff.profile = async (precision, reps) => {
    const x = await client.worker();
    await client.loadWeights(x, precision);
    const d = await client.call(x, { type: 'profile', id: -1, key: precision, reps });
    return d.profile;
  };

  // Binary classifier benchmark in a worker: mean µs per image over reps
  // passes of pixels (whole 28x28 images), one image at a time.
  window.qdiff.benchClassify = async (pixels, reps) => {
    const x = await client.worker();
    if (!(await client.loadClassifier(x))) throw new Error('this site has no binary classifier');
    const d = await client.call(x, { type: 'benchClassify', id: -1, pixels: new Uint8Array(pixels).buffer, reps });
    return d.us;
  };

  // for pad.js: the pad runs its own worker so it never waits for a grid
  window.qdiff.internal = { client, showError, manifest };

  const syncSteps = () => { form.elements.steps.disabled = form.elements.sampler.value === 'ddpm'; };
  form.elements.sampler.addEventListener('change', syncSteps);
  form.addEventListener('change', () => { if (!state.running) syncURL(); });
  form.addEventListener('submit', (e) => { e.preventDefault(); if (!state.running) run(); });
  $('cancel').addEventListener('click', cancel);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && state.running) { e.preventDefault(); cancel(); } });
  $('save-grid').addEventListener('click', () => save(gridSheet(), `${runName()}-seed${state.run.seed}.png`));
  $('copy-link').addEventListener('click', async () => {
    syncURL();
    try { await navigator.clipboard.writeText(location.href); say('Link copied: it opens this page with these settings, and Generate makes the same images.'); } catch (_) { say(`Share this link: ${location.href}`); }
  });
  const autostart = applyParams();
  syncSteps();
  if (autostart) run();
})();
