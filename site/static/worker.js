// qdiff worker: runs the Go wasm program and answers the page.
'use strict';
let goReady = null;
self.onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.type === 'compile') {
      // the page's download streams in here, so the compile stays off its main thread
      const module = await WebAssembly.compileStreaming(new Response(m.body, { headers: { 'Content-Type': 'application/wasm' } }));
      postMessage({ type: 'compiled', module });
    } else if (m.type === 'init') {
      importScripts(m.wasmExec);
      const go = new Go();
      goReady = new Promise((resolve) => { self.qdiffReady = resolve; });
      // the page posts the compiled module; a URL is fetched here
      const instance = m.module
        ? await WebAssembly.instantiate(m.module, go.importObject)
        : (await WebAssembly.instantiateStreaming(fetch(m.wasm), go.importObject)).instance;
      go.run(instance);
      await goReady;
      postMessage({ type: 'ready' });
    } else if (m.type === 'load') {
      const r = self.qdiffLoad(m.key, new Uint8Array(m.bytes));
      postMessage({ type: 'loaded', key: m.key, error: (r && r.error) || null });
    } else if (m.type === 'loadClassifier') {
      const r = self.qdiffLoadClassifier(new Uint8Array(m.bytes));
      postMessage({ type: 'loaded', key: 'bnet', error: (r && r.error) || null });
    } else if (m.type === 'classify') {
      const r = self.qdiffClassify(new Uint8Array(m.pixels));
      postMessage(r.error ? { type: 'error', id: m.id, error: r.error } : { type: 'done', id: m.id, ...r });
    } else if (m.type === 'loadDialog') {
      const r = self.qdiffLoadDialog(new Uint8Array(m.bytes));
      postMessage(r.error ? { type: 'error', id: m.id, error: r.error } : { type: 'loaded', key: 'dialog', questions: r.questions });
    } else if (m.type === 'dialog') {
      const r = self.qdiffDialog(new Uint8Array(m.pixels), m.hidden, m.answers);
      postMessage(r.error ? { type: 'error', id: m.id, error: r.error } : { type: 'done', id: m.id, ...r });
    } else if (m.type === 'oracle') {
      const r = self.qdiffOracle(new Uint8Array(m.pixels));
      postMessage(r.error ? { type: 'error', id: m.id, error: r.error } : { type: 'done', id: m.id, answers: r.answers });
    } else if (m.type === 'benchClassify') {
      const r = self.qdiffBenchClassify(new Uint8Array(m.pixels), m.reps);
      postMessage(r.error ? { type: 'error', id: m.id, error: r.error } : { type: 'done', id: m.id, us: r.us });
    } else if (m.type === 'profile') {
      const r = self.qdiffProfile(m.key, m.reps);
      postMessage(r.error ? { type: 'error', id: m.id, error: r.error } : { type: 'done', id: m.id, profile: r });
    } else if (m.type === 'bench') {
      const r = self.qdiffBench(m.op, m.dims, m.reps);
      postMessage(r.error ? { type: 'error', id: m.id, error: r.error } : { type: 'done', id: m.id, ms: r.ms, ops: r.ops });
    } else if (m.type === 'generate') {
      const t0 = performance.now();
      const r = self.qdiffGenerate(m.key, m.digit, m.steps, m.guidance, m.seed, (step, steps, px) => {
        postMessage({ type: 'step', id: m.id, step, steps, pixels: px });
      }, m.sampler || 'ddim');
      if (r.error) {
        postMessage({ type: 'error', id: m.id, error: r.error });
      } else {
        const ms = performance.now() - t0;
        // label the result with the binary network when it is loaded
        const c = m.classify ? self.qdiffClassify(r.pixels) : null;
        postMessage({
          type: 'done', id: m.id, pixels: r.pixels, digit: r.digit, ms,
          label: c && !c.error ? c.label : null, confidence: c && !c.error ? c.confidence : null,
        });
      }
    }
  } catch (err) {
    postMessage({ type: 'error', id: m.id, error: String(err && err.message || err) });
  }
};
