// Mosaic's offline app shell: after the first visit, the built app (every file of this build)
// is kept in the browser, so a reload without a network still opens the app and the reviews
// kept in this browser. The API is never cached here: reviews live in IndexedDB and sync
// through the app's own outbox.
//
// `scripts/build.sh` writes this build's id and file list in place of the two markers below;
// a file still holding them (a development build) caches nothing.
const BUILD = "__MOSAIC_BUILD__";
const FILES = /*__MOSAIC_FILES__*/ [];
const CACHE = `mosaic-${BUILD}`;
const SHELL = "/index.html";

/** Where a first visit's loader (scripts/place-parts.mjs) leaves the files it downloaded as
 *  one pack; installing takes them from there instead of downloading them again. */
const FIRST_LOAD = "mosaic-first-load";

self.addEventListener("install", (event) => {
  if (FILES.length === 0) return;
  event.waitUntil(
    (async () => {
      const [cache, first] = await Promise.all([caches.open(CACHE), caches.open(FIRST_LOAD)]);
      await Promise.all(
        FILES.map(async (file) => {
          const kept = await first.match(file);
          await (kept ? cache.put(file, kept) : cache.add(file));
        }),
      );
      await caches.delete(FIRST_LOAD);
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("mosaic-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The page asks a waiting new build to take over once the person chose to reload.
self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

/** Paths that are never the app: the API, the operator's endpoints, feed subscriptions. */
function notTheApp(path) {
  return (
    path.startsWith("/api/") ||
    ["/healthz", "/readyz", "/metrics"].includes(path) ||
    path.split("/").pop().includes(".")
  );
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || FILES.length === 0) return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && !notTheApp(url.pathname)) {
    // An app page: the network's index.html while online (a new build shows at once), this
    // build's when offline.
    event.respondWith(fetch(request).catch(() => caches.match(SHELL, { cacheName: CACHE })));
    return;
  }
  if (FILES.includes(url.pathname)) {
    event.respondWith(caches.match(request, { cacheName: CACHE }).then((kept) => kept || fetch(request)));
  }
});
