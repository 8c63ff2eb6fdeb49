// qdiff worker: runs the Go wasm program and answers the page.
'use strict';
let goReady = null;
self.onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.type === 'init') {
      importScripts(m.wasmExec);
      const go = new Go();
      goReady = new Promise((resolve) => { self.qdiffReady = resolve; });
      const res = await WebAssembly.instantiateStreaming(fetch(m.wasm), go.importObject);
      go.run(res.instance);
      await goReady;
      postMessage({ type: 'ready' });
    } else if (m.type === 'load') {
      const r = self.qdiffLoad(m.key, new Uint8Array(m.bytes));
      postMessage({ type: 'loaded', key: m.key, error: (r && r.error) || null });
    } else if (m.type === 'bench') {
      const r = self.qdiffBench(m.op, m.dims, m.reps);
      postMessage(r.error ? { type: 'error', id: m.id, error: r.error } : { type: 'done', id: m.id, ms: r.ms, ops: r.ops });
    } else if (m.type === 'generate') {
      const t0 = performance.now();
      const r = self.qdiffGenerate(m.key, m.digit, m.steps, m.guidance, m.seed, (step, steps, px) => {
        postMessage({ type: 'step', id: m.id, step, steps, pixels: px });
      });
      if (r.error) {
        postMessage({ type: 'error', id: m.id, error: r.error });
      } else {
        postMessage({ type: 'done', id: m.id, pixels: r.pixels, digit: r.digit, ms: performance.now() - t0 });
      }
    }
  } catch (err) {
    postMessage({ type: 'error', id: m.id, error: String(err && err.message || err) });
  }
};
