// qdiff service worker: a second visit works offline. It keeps this
// build's pages, scripts and style (stored when it installs), the wasm
// program (stored by the page after a generation) and serves the weights
// the page stored after their sha256 check. Content-hashed files are
// answered from the store first; pages from the network first.
'use strict';
// written by the site builder: the files stored at install, and every
// content-hashed file of this build (older ones are dropped on activation)
const SHELL = /*QDIFF_SHELL*/[];
const KEEP = /*QDIFF_KEEP*/[];
const ASSETS = 'qdiff-assets-v1';
const WEIGHTS = 'qdiff-weights-v1';
const hashed = /\.[0-9a-f]{16}\.[a-z0-9]+$/;
const abs = (u) => new URL(u, self.registration.scope).href;

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(ASSETS).then((c) => c.addAll(SHELL.map(abs))).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil((async () => {
    const keep = new Set([...SHELL, ...KEEP].map(abs));
    for (const name of [ASSETS, WEIGHTS]) {
      const c = await caches.open(name);
      for (const req of await c.keys()) {
        if (hashed.test(new URL(req.url).pathname) && !keep.has(req.url)) await c.delete(req);
      }
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== location.origin) return;
  if (req.mode === 'navigate') e.respondWith(page(e, url));
  else if (hashed.test(url.pathname)) e.respondWith(asset(e, url));
});

// asset: the store, else the network (weights are stored by the page once
// verified; everything else here as it passes)
async function asset(e, url) {
  const hit = await caches.match(e.request.url);
  if (hit) return hit;
  const resp = await fetch(e.request);
  if (resp.ok && !url.pathname.endsWith('.safetensors')) {
    const copy = resp.clone();
    e.waitUntil(caches.open(ASSETS).then((c) => c.put(e.request.url, copy)));
  }
  return resp;
}

// page: the network, else the stored copy of the page without its
// parameters (the parameters are read by the page's script)
async function page(e, url) {
  const key = url.origin + url.pathname;
  try {
    const resp = await fetch(e.request);
    if (resp.ok) {
      const copy = resp.clone();
      e.waitUntil(caches.open(ASSETS).then((c) => c.put(key, copy)));
    }
    return resp;
  } catch (err) {
    const hit = await caches.match(key);
    if (hit) return hit;
    throw err;
  }
}
