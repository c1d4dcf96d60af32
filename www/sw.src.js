// logdrop service worker: after one visit the page works with the network off.
//
// This is the source. `./build.sh build` writes the served copy, www/sw.js (git-ignored), with the
// two placeholders filled in: VERSION, a hash of every precached file and of this source, and
// PRECACHE, the list of the page's files (everything in www/ but the service worker itself). A
// new build therefore has a new version, which the browser sees as a changed sw.js.
//
// As squoosh does (src/sw/index.ts):
// - one cache per version, `logdrop-<VERSION>`, filled on install; activate deletes older ones;
// - it answers only same-origin GETs for precached files, from the cache (network if missing);
//   everything else goes to the network untouched, and nothing is ever added to the cache after
//   install, so nothing derived from a log can end up in it (logs are files the page reads
//   locally, never fetched);
// - no skipWaiting on install: a new version waits until the page asks for it (sw-register.js
//   offers "reload" only while no analysis runs) or until every logdrop tab is closed.

const VERSION = '__LOGDROP_VERSION__';
const PRECACHE = [/* __LOGDROP_PRECACHE__ */];

const PREFIX = 'logdrop-';
const CACHE = PREFIX + VERSION;
const SCOPE = new URL(self.registration.scope);
// Absolute URLs of the precached files ('./' is the page).
const PRECACHED = new Set(PRECACHE.map((p) => new URL(p, self.location.href).href));

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // `reload`: straight from the server, never a stale copy from the HTTP cache.
    await cache.addAll(PRECACHE.map((p) => new Request(p, { cache: 'reload' })));
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const older = (await caches.keys()).filter((name) => name.startsWith(PREFIX) && name !== CACHE);
    await Promise.all(older.map((name) => caches.delete(name)));
    // Take open pages now: on the first install the page works offline without a reload (and
    // says "ready to work offline"). On an update, pages the old worker controlled switch to
    // this one anyway; the page that asked for the update reloads itself.
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  let key = url.origin + url.pathname;
  if (request.mode === 'navigate' && (url.pathname === SCOPE.pathname || url.pathname === SCOPE.pathname + 'index.html')) {
    key = SCOPE.href; // the page, whatever its query (the #fragment never gets here)
  }
  if (!PRECACHED.has(key)) return; // not ours to answer: the network, as without a worker
  event.respondWith(cacheFirst(key, request));
});

async function cacheFirst(key, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  return hit ?? fetch(request);
}

self.addEventListener('message', (event) => {
  if (event.data?.type === 'skip-waiting') self.skipWaiting();
  else if (event.data?.type === 'version') event.source?.postMessage({ type: 'version', version: VERSION });
});
