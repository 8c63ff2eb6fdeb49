// qdiff drawing pad: the binary network classifies what a person draws,
// as they draw. Runs its own worker (see app.js: window.qdiff.internal).
'use strict';
(() => {
  const q = window.qdiff && window.qdiff.internal;
  const canvas = document.getElementById('pad-canvas');
  if (!q || !canvas) return;
  if (!q.manifest.classifier) { document.getElementById('pad').hidden = true; return; }
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const out = document.getElementById('pad-label');
  const bars = document.getElementById('pad-probs');
  const pen = canvas.width / 12; // stroke width: about MNIST's, relative to the pad
  const pad = { label: null, confidence: null, probs: null, pixels: null, classified: 0 };
  window.qdiff.pad = pad;
  let worker = null;
  let busy = false;
  let again = false;

  // --- SI-Dial: hide part of the digit, answer the network's questions ---
  const dlg = { questions: null, answers: null, oracle: null, hidden: 0, occluded: null, next: -1, label: null, confidence: null, asked: 0 };
  pad.dialog = dlg;
  const occludeSel = document.getElementById('occlude');
  const auto = document.getElementById('auto-answer');
  const seen = document.getElementById('pad-seen');
  const guess = document.getElementById('dialog-guess');
  const question = document.getElementById('dialog-question');
  const yes = document.getElementById('answer-yes');
  const no = document.getElementById('answer-no');
  const log = document.getElementById('dialog-log');
  const maxRounds = 5;
  if (q.manifest.dialog) document.getElementById('dialog').hidden = false;

  // mask: which of the 28x28 pixels are hidden, and the fraction hidden
  function mask(kind) {
    const m = new Array(784).fill(false);
    for (let i = 0; i < 784; i++) {
      const x = i % 28, y = Math.floor(i / 28);
      const bx = Math.floor(x / 7), by = Math.floor(y / 7);
      m[i] = { none: false, top: y < 14, bottom: y >= 14, left: x < 14, right: x >= 14, blocks: (bx + by) % 2 === 0 }[kind];
    }
    return m;
  }

  function drawSeen(px, m) {
    const ctx2 = seen.getContext('2d');
    const img = ctx2.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const hid = m && m[i];
      const stripe = ((i % 28) + Math.floor(i / 28)) % 4 < 2;
      img.data[4 * i] = hid ? (stripe ? 90 : 60) : px[i];
      img.data[4 * i + 1] = hid ? (stripe ? 70 : 50) : px[i];
      img.data[4 * i + 2] = hid ? (stripe ? 110 : 80) : px[i];
      img.data[4 * i + 3] = 255;
    }
    ctx2.putImageData(img, 0, 0);
  }

  async function dialogWorker() {
    if (!worker) { worker = q.client.startWorker(); await worker.ready; }
    await q.client.loadClassifier(worker);
    if (!worker.loaded.has('dialog')) {
      const buf = await q.client.model(q.manifest.dialog, 'dialog model');
      const r = await q.client.call(worker, { type: 'loadDialog', bytes: buf.slice(0) });
      dlg.questions = r.questions;
      worker.loaded.add('dialog');
    }
    return worker;
  }

  // dialogReset starts a new dialog for the current drawing and occlusion
  async function dialogReset() {
    if (!q.manifest.dialog || !pad.pixels) return;
    const kind = occludeSel.value;
    log.textContent = '';
    dlg.label = null;
    dlg.asked = 0;
    if (kind === 'none') {
      drawSeen(pad.pixels, null);
      guess.textContent = 'Choose what to hide.';
      question.textContent = '';
      yes.disabled = no.disabled = true;
      dlg.label = null;
      return;
    }
    const m = mask(kind);
    dlg.hidden = m.filter(Boolean).length / 784;
    dlg.occluded = Uint8Array.from(pad.pixels, (v, i) => (m[i] ? 0 : v));
    drawSeen(pad.pixels, m);
    const w = await dialogWorker();
    dlg.answers = new Array(dlg.questions.length).fill(0);
    dlg.oracle = (await q.client.call(w, { type: 'oracle', id: -3, pixels: Uint8Array.from(pad.pixels).buffer })).answers;
    await dialogStep();
  }

  async function dialogStep() {
    const w = await dialogWorker();
    const r = await q.client.call(w, { type: 'dialog', id: -4, pixels: dlg.occluded.slice().buffer, hidden: dlg.hidden, answers: dlg.answers });
    dlg.label = r.label; dlg.confidence = r.confidence; dlg.next = r.next; dlg.probs = r.probs;
    const pct = Math.round(100 * r.confidence);
    guess.textContent = dlg.asked === 0
      ? `Seeing only part of it: ${r.label} (${pct}%)`
      : `After ${dlg.asked} answer${dlg.asked > 1 ? 's' : ''}: ${r.label} (${pct}%)`;
    const more = r.next >= 0 && dlg.asked < maxRounds;
    question.textContent = more ? r.question : 'No more questions.';
    yes.disabled = no.disabled = !more;
    dlg.pending = more;
    if (more && auto.checked) setTimeout(() => answer(dlg.oracle[r.next] > 0), 250);
  }

  async function answer(isYes) {
    if (!dlg.pending) return;
    dlg.pending = false;
    yes.disabled = no.disabled = true;
    dlg.answers[dlg.next] = isYes ? 1 : -1;
    dlg.label = null; // until the new guess arrives
    dlg.asked++;
    const li = document.createElement('li');
    li.textContent = `${dlg.questions[dlg.next]} ${isYes ? 'Yes' : 'No'}`;
    log.append(li);
    try { await dialogStep(); } catch (e) { q.showError(`Dialog: ${e.message}`); }
  }
  yes.addEventListener('click', () => answer(true));
  no.addEventListener('click', () => answer(false));
  occludeSel.addEventListener('change', () => dialogReset().catch((e) => q.showError(`Dialog: ${e.message}`)));
  auto.addEventListener('change', () => { if (auto.checked && dlg.pending) answer(dlg.oracle[dlg.next] > 0); });

  function clear() {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    out.textContent = 'Draw a digit';
    pad.label = null;
    pad.pixels = null;
    if (q.manifest.dialog) { log.textContent = ''; guess.textContent = ''; question.textContent = ''; yes.disabled = no.disabled = true; dlg.pending = false; }
    for (const m of bars.querySelectorAll('meter')) m.value = 0;
  }

  // mnist turns the pad into a 28x28 MNIST-style image: the ink's bounding
  // box scaled to fit 20x20, placed so its centre of mass is the centre.
  function mnist() {
    const { width: w, height: h } = canvas;
    const src = ctx.getImageData(0, 0, w, h).data;
    let x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (src[4 * (y * w + x)] > 32) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
      }
    }
    if (x1 < 0) return null;
    const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    const s = 20 / Math.max(bw, bh);
    const tw = Math.max(1, Math.round(bw * s)), th = Math.max(1, Math.round(bh * s));
    const tmp = document.createElement('canvas');
    tmp.width = tw; tmp.height = th;
    const tc = tmp.getContext('2d', { willReadFrequently: true });
    tc.imageSmoothingEnabled = true;
    tc.imageSmoothingQuality = 'high';
    tc.drawImage(canvas, x0, y0, bw, bh, 0, 0, tw, th);
    const small = tc.getImageData(0, 0, tw, th).data;
    let m = 0, mx = 0, my = 0;
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) { const v = small[4 * (y * tw + x)]; m += v; mx += v * x; my += v * y; }
    }
    const ox = Math.round(14 - mx / m), oy = Math.round(14 - my / m);
    const px = new Uint8Array(784);
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const X = x + ox, Y = y + oy;
        if (X >= 0 && X < 28 && Y >= 0 && Y < 28) px[Y * 28 + X] = small[4 * (y * tw + x)];
      }
    }
    return px;
  }

  async function classify() {
    if (busy) { again = true; return; }
    const px = mnist();
    if (!px) return;
    busy = true;
    try {
      if (!worker) {
        worker = q.client.startWorker();
        await worker.ready;
      }
      await q.client.loadClassifier(worker);
      const r = await q.client.call(worker, { type: 'classify', id: -2, pixels: px.buffer });
      pad.label = r.label; pad.confidence = r.confidence; pad.probs = r.probs; pad.pixels = Array.from(px);
      pad.classified++;
      out.textContent = `Reads as ${r.label} (${Math.round(100 * r.confidence)}%) · ${r.ms.toFixed(2)} ms in 1-bit arithmetic`;
      bars.querySelectorAll('meter').forEach((m, i) => { m.value = r.probs[i]; });
      await dialogReset();
    } catch (e) {
      q.showError(`Drawing pad: ${e.message}`);
    } finally {
      busy = false;
      if (again) { again = false; classify(); }
    }
  }

  let last = null;
  function at(e) {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
  }
  function stroke(p) {
    ctx.strokeStyle = '#fff';
    ctx.fillStyle = '#fff';
    ctx.lineWidth = pen;
    ctx.lineCap = 'round';
    if (last) {
      ctx.beginPath(); ctx.moveTo(last[0], last[1]); ctx.lineTo(p[0], p[1]); ctx.stroke();
    } else {
      ctx.beginPath(); ctx.arc(p[0], p[1], pen / 2, 0, 2 * Math.PI); ctx.fill();
    }
    last = p;
  }
  let frame = 0;
  function soon() { if (!frame) frame = requestAnimationFrame(() => { frame = 0; classify(); }); }
  canvas.addEventListener('pointerdown', (e) => {
    try { canvas.setPointerCapture(e.pointerId); } catch (_) { /* synthetic or finished pointer */ }
    last = null; stroke(at(e)); soon();
  });
  canvas.addEventListener('pointermove', (e) => { if (e.buttons & 1 && last) { stroke(at(e)); soon(); } });
  const up = () => { if (last) { last = null; classify(); } };
  canvas.addEventListener('pointerup', up);
  canvas.addEventListener('pointercancel', up);
  document.getElementById('pad-clear').addEventListener('click', clear);
  // idle resolves once every stroke so far has been classified (tests).
  pad.idle = () => new Promise((resolve) => {
    const check = () => (busy || again || frame ? setTimeout(check, 20) : resolve(pad.label));
    check();
  });
  clear();
})();
