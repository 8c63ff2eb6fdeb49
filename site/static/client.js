// qdiff worker client, shared by the page (app.js, pad.js) and the
// <qdiff-generator> element (the site builder prepends this file to
// qdiff-element.js). It starts wasm workers, queues requests to each, runs
// generation jobs on a capped pool, and downloads the wasm and the weights
// once, with progress in bytes, sha256-checked and kept in the Cache API.
'use strict';
self.qdiffClient = self.qdiffClient || (() => {
  // generation parameters and their limits: written by the site builder
  // from site.Params, the same table the form and the docs are made from
  const PARAMS = /*QDIFF_PARAMS*/[];
  const WEIGHTS_CACHE = 'qdiff-weights-v1';

  // check reads one parameter from a string: its value, or null when the
  // string is not a number the parameter accepts
  function check(name, v) {
    const p = PARAMS.find((x) => x.name === name);
    if (!p) return null;
    const x = Number(v);
    if (v === null || String(v).trim() === '' || !Number.isFinite(x) || x < p.min || x > p.max) return null;
    if (p.step === 1 && !Number.isInteger(x)) return null;
    return x;
  }
  // want says in words what a parameter accepts
  function want(name) {
    const p = PARAMS.find((x) => x.name === name);
    return p ? `${p.step === 1 ? 'a whole number' : 'a number'} from ${p.min} to ${p.max}` : 'nothing (unknown parameter)';
  }

  function fmtBytes(n) {
    return n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : `${Math.max(0, Math.round(n / 1e3))} KB`;
  }

  async function sha256Hex(buf) {
    const d = await crypto.subtle.digest('SHA-256', buf);
    return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }

  class Canceled extends Error {
    constructor() { super('canceled'); this.canceled = true; }
  }

  // create returns a client for one site: manifest is its manifest.json,
  // base the URL its relative paths resolve against. onDownload, when set,
  // hears {id, what, got, total, done, error} as downloads move.
  function create(manifest, base) {
    const abs = (u) => new URL(u, base).href;
    const crossOrigin = new URL(base).origin !== location.origin;
    const c = {
      manifest, cap: Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 4)),
      workers: [], idle: [], queue: [], models: new Map(), module: null,
      wireBytes: 0, onDownload: null, abs,
    };
    const report = (d) => { if (c.onDownload) c.onDownload(d); };

    // open fetches url and returns its body as a stream that reports
    // progress as it is read; total is the decoded size from the manifest
    // (the body arrives decoded). A failure is reported and thrown, and
    // kept as the stream's .failure (readers of an errored body may see a
    // bare "Failed to fetch" instead).
    async function open(url, id, what, total) {
      let stream = null;
      const fail = (msg) => {
        report({ id, what, got: 0, total, done: true, error: msg });
        const err = new Error(msg);
        if (stream) stream.failure = err;
        return err;
      };
      let resp;
      try { resp = await fetch(url); } catch (e) { throw fail(`could not download the ${what} (${e.message}); check the connection and try again`); }
      if (!resp.ok) throw fail(`could not download the ${what}: the server answered HTTP ${resp.status}`);
      // bytes over the wire: the compressed length when the server compressed it
      const enc = resp.headers.get('content-encoding');
      const len = Number(resp.headers.get('content-length'));
      const reader = resp.body.getReader();
      let got = 0;
      report({ id, what, got, total });
      stream = new ReadableStream({
        async pull(ctrl) {
          let r;
          try { r = await reader.read(); } catch (e) { throw fail(`the download of the ${what} broke off (${e.message}); try again`); }
          if (r.done) {
            c.wireBytes += enc && len > 0 ? len : got;
            report({ id, what, got, total, done: true });
            ctrl.close();
            return;
          }
          got += r.value.length;
          report({ id, what, got, total });
          ctrl.enqueue(r.value);
        },
        cancel() { reader.cancel(); report({ id, what, got, total, done: true }); },
      });
      return stream;
    }
    async function download(url, id, what, total) {
      const body = await open(url, id, what, total);
      try { return await new Response(body).arrayBuffer(); } catch (e) { throw body.failure || e; }
    }

    // model returns the verified bytes of a manifest model: the Cache API
    // first, else the network; once per client even when asked together
    // (a failure is not kept, so the next call tries again)
    c.model = (m, what) => {
      if (!c.models.has(m.url)) {
        const p = (async () => {
          const url = abs(m.url);
          let cache = null;
          try { cache = await caches.open(WEIGHTS_CACHE); } catch (_) { /* no Cache API (file://, private mode) */ }
          const hit = cache && await cache.match(url);
          if (hit) {
            const buf = await hit.arrayBuffer();
            if (await sha256Hex(buf) === m.sha256) return buf;
            await cache.delete(url);
          }
          const buf = await download(url, m.url, what, m.bytes);
          if (await sha256Hex(buf) !== m.sha256) throw new Error(`the ${what} failed their sha256 check; reload the page`);
          if (cache) await cache.put(url, new Response(buf.slice(0))).catch(() => {});
          return buf;
        })();
        c.models.set(m.url, p);
        p.catch(() => c.models.delete(m.url));
      }
      return c.models.get(m.url);
    };
    c.weightsOf = (precision) => {
      const m = manifest.models.find((x) => x.precision === precision);
      if (!m) return Promise.reject(new Error(`this qdiff site has no ${precision} model`));
      return c.model(m, `${precision.toUpperCase()} weights`);
    };

    // compiled: the wasm, fetched and compiled once for every worker (a
    // compiled module can be posted to workers; each fetching it would
    // download it again when they start together)
    c.compiled = () => {
      if (!c.module) {
        c.module = (async () => {
          // compiled while it streams in, as compileStreaming(fetch(...))
          // would, in a worker of its own (off the page's main thread)
          const body = await open(abs(manifest.wasm), manifest.wasm, 'program (wasm)', manifest.wasmBytes || 0);
          try {
            return await compileInWorker(body);
          } catch (e) {
            throw body.failure || new Error(`the wasm program did not compile: ${e.message}`);
          }
        })();
        c.module.catch(() => { c.module = null; });
      }
      return c.module;
    };

    // a worker script must be same-origin: from another origin, a blob
    // worker imports ours (classic importScripts may cross origins)
    const newWorker = () => (crossOrigin
      ? new Worker(URL.createObjectURL(new Blob([`importScripts(${JSON.stringify(abs(manifest.worker))});`], { type: 'text/javascript' })))
      : new Worker(abs(manifest.worker)));

    // compileInWorker hands the wasm stream to a short-lived worker that
    // compiles it and posts the module back; where streams cannot be
    // transferred, the page compiles it itself
    function compileInWorker(body) {
      let w;
      try { w = newWorker(); } catch (_) { w = null; }
      return new Promise((resolve, reject) => {
        const here = () => WebAssembly.compileStreaming(new Response(body, { headers: { 'Content-Type': 'application/wasm' } })).then(resolve, reject);
        if (!w) { here(); return; }
        w.onmessage = (e) => { w.terminate(); (e.data.type === 'compiled' ? resolve(e.data.module) : reject(new Error(e.data.error))); };
        w.onerror = (e) => { w.terminate(); reject(new Error(e.message || 'the compiling worker failed')); };
        try { w.postMessage({ type: 'compile', body }, [body]); } catch (_) { w.terminate(); here(); }
      });
    }

    c.startWorker = () => {
      const w = newWorker();
      const x = { w, loaded: new Set(), chain: Promise.resolve() };
      x.ready = new Promise((resolve, reject) => {
        w.onmessage = (e) => (e.data.type === 'ready' ? resolve() : reject(new Error(e.data.error)));
        w.onerror = (e) => reject(new Error(e.message || 'the qdiff worker failed to start'));
        c.compiled().then((module) => w.postMessage({ type: 'init', module, wasmExec: abs(manifest.wasmExec) }), reject);
      });
      x.ready.catch(() => {});
      return x;
    };

    // call sends one request to a worker and resolves with its answer;
    // requests to the same worker are queued, never interleaved
    c.call = (x, msg, onStep) => {
      const send = () => new Promise((resolve, reject) => {
        x.w.onmessage = (e) => {
          const d = e.data;
          if (d.type === 'step') onStep && onStep(d);
          else if (d.type === 'loaded') (d.error ? reject(new Error(d.error)) : resolve(d));
          else if (d.type === 'done') resolve(d);
          else if (d.type === 'error') reject(new Error(d.error));
        };
        x.w.onerror = (e) => reject(new Error(e.message || 'qdiff worker error'));
        x.w.postMessage(msg);
      });
      const p = x.chain.then(send, send);
      x.chain = p.catch(() => {});
      return p;
    };

    c.loadWeights = async (x, precision) => {
      if (x.loaded.has(precision)) return;
      const buf = await c.weightsOf(precision);
      await c.call(x, { type: 'load', key: precision, bytes: buf.slice(0) });
      x.loaded.add(precision);
    };
    // loadClassifier puts the binary network into a worker (once); false
    // when the site has none
    c.loadClassifier = async (x) => {
      if (!manifest.classifier) return false;
      if (x.loaded.has('bnet')) return true;
      const buf = await c.model(manifest.classifier, 'binary classifier');
      await c.call(x, { type: 'loadClassifier', bytes: buf.slice(0) });
      x.loaded.add('bnet');
      return true;
    };

    // generate queues one image: job {precision, digit, steps, guidance,
    // seed, sampler, onStep, onPhase ('weights', 'workers', 'loaded')}; resolves with {pixels, digit, ms, label,
    // confidence}, rejects with .canceled set after stop()
    c.generate = (job) => new Promise((resolve, reject) => {
      c.queue.push({ job, resolve, reject });
      schedule();
    });
    function schedule() {
      while (c.queue.length && (c.idle.length || c.workers.length < c.cap)) {
        let x = c.idle.pop();
        if (!x) { x = c.startWorker(); c.workers.push(x); }
        const q = c.queue.shift();
        x.current = q;
        runJob(x, q.job).then(q.resolve, q.reject).finally(() => {
          if (c.workers.includes(x)) { c.idle.push(x); schedule(); }
        });
      }
    }
    async function runJob(x, j) {
      // weights and program download side by side
      const wts = c.weightsOf(j.precision);
      wts.catch(() => {});
      const phase = (name) => j.onPhase && j.onPhase(name);
      await wts;
      phase('weights');
      await x.ready;
      phase('workers');
      await c.loadWeights(x, j.precision);
      const labels = await c.loadClassifier(x);
      phase('loaded');
      return c.call(x, { type: 'generate', id: 0, key: j.precision, digit: j.digit, steps: j.steps, guidance: j.guidance, seed: j.seed, sampler: j.sampler || 'ddim', classify: labels }, j.onStep);
    }
    // stop ends every worker of the pool: their jobs and the queued ones
    // reject as canceled
    c.stop = () => {
      const err = new Canceled();
      for (const x of c.workers) { x.w.terminate(); if (x.current) x.current.reject(err); }
      for (const q of c.queue) q.reject(err);
      c.workers = []; c.idle = []; c.queue = [];
    };
    // worker returns the pool's first worker, started (benchmarks)
    c.worker = async () => {
      if (!c.workers.length) c.workers.push(c.startWorker());
      await c.workers[0].ready;
      return c.workers[0];
    };
    return c;
  }

  return { create, check, want, params: PARAMS, fmtBytes, Canceled };
})();
