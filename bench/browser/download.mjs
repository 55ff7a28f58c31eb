// First-load download: what Chromium actually fetches to show a page, read from its network log
// (Chrome DevTools Protocol), not guessed from dist/'s top-level files. Each page is loaded in a
// fresh browser profile with the HTTP cache disabled and service workers blocked (the offline
// shell's background download of the whole app is reported on its own line by bench.sh):
//   `/`        until the "Start a review" form is usable;
//   `/feed`    until the feed's search box is shown;
//   a review   `/reviews/{id}` reloaded with an empty cache in a browser that started the
//              review (once the server has it), until its title is shown.
// Then the network must be quiet for 500 ms, so parts downloaded late still count.
// Sizes are the response bodies as transferred (CDP encodedDataLength less the headers). The
// server sends dist/'s precompressed brotli copies where the browser asks for brotli; Chromium
// asks for it only over https, so over this loopback http the brotli figure is each fetched
// file's `.br` size in MOSAIC_DIST (what the same fetches weigh over https), and the bytes
// actually transferred are shown beside it.
// Needs MOSAIC_URL, MOSAIC_DIST, optionally COUNTER_URL and COUNTER_DIST. Prints ROW lines.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser, row } from "./common.mjs";

const base = process.env.MOSAIC_URL;
const dist = process.env.MOSAIC_DIST;
if (!base || !dist) throw new Error("MOSAIC_URL and MOSAIC_DIST must be set (scripts/bench.sh sets them)");
const BUDGET_KB = { "/": 150, "/feed": 200, review: 350 };
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** Loads `url` in `page` (a CDP-watched page with the cache off), waits for `ready`, and returns
 *  every response: { path, kind, bytes, br }. */
async function fetched(page, url, ready, root) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const responses = new Map();
  cdp.on("Network.responseReceived", ({ requestId, response, type }) => {
    responses.set(requestId, { url: response.url, type, headers: response.encodedDataLength ?? 0, encoding: response.headers["content-encoding"] ?? response.headers["Content-Encoding"] ?? "" });
  });
  const done = [];
  cdp.on("Network.loadingFinished", ({ requestId, encodedDataLength }) => {
    const r = responses.get(requestId);
    if (r) done.push({ ...r, total: encodedDataLength });
  });
  await page.goto(url);
  await ready(page);
  await page.waitForLoadState("networkidle");
  await cdp.detach();
  return done
    .filter((r) => r.url.startsWith("http"))
    .map((r) => {
      const path = new URL(r.url).pathname;
      const bytes = Math.max(0, r.total - r.headers);
      // The file the server answered from: itself, or index.html for an app route.
      const file = join(root, path.endsWith("/") || !path.split("/").pop().includes(".") ? "index.html" : path);
      const br = kind(path) === "api" ? bytes : existsSync(`${file}.br`) ? statSync(`${file}.br`).size : bytes;
      return { path, kind: kind(path), bytes, br, encoding: r.encoding };
    });
}

function kind(path) {
  // The server's answers: the API, and /healthz (how the app finds the server that served it).
  if (path.startsWith("/api/") || path === "/healthz") return "api";
  const ext = path.includes(".") ? path.split(".").pop() : "html";
  return ["wasm", "pack", "js", "css", "html"].includes(ext) ? ext : "other";
}

/** "wasm 3 files 120.1 KB, js …": the app's files by kind, brotli. */
function breakdown(files) {
  const by = new Map();
  for (const f of files) {
    const k = by.get(f.kind) ?? { n: 0, br: 0 };
    by.set(f.kind, { n: k.n + 1, br: k.br + f.br });
  }
  return ["pack", "wasm", "js", "css", "html", "other"]
    .filter((k) => by.has(k))
    .map((k) => `${k} ${by.get(k).n}× ${(by.get(k).br / 1024).toFixed(1)}`)
    .join(", ");
}

const formUsable = async (page) => {
  const form = page.locator('form[aria-labelledby="new-review-heading"]');
  await form.getByRole("button", { name: "Create review" }).waitFor();
};
const feedShown = (page) => page.getByRole("searchbox").first().waitFor();

async function measure(browser, path, ready, setup) {
  const context = await browser.newContext({ serviceWorkers: "block" });
  try {
    const page = await context.newPage();
    const url = setup ? await setup(page) : `${base}${path}`;
    return await fetched(page, url, ready, dist);
  } finally {
    await context.close();
  }
}

const TITLE = "Checkout errors after the deploy";
/** Starts a review through the app, as a facilitator does, and returns its address. */
async function startReview(page) {
  await page.goto(`${base}/`);
  await page.getByLabel("Title").fill(TITLE);
  await page.getByLabel("Incident started").fill("2026-11-21T09:30");
  await page.getByLabel("Severity").selectOption("sev2");
  await page.getByLabel("Team").fill("Payments");
  await page.getByRole("button", { name: "Create review" }).click();
  await page.getByRole("heading", { level: 1, name: TITLE }).waitFor();
  // On the server before the page is opened again: otherwise the page would send it first (and
  // download the code that does), which is not what opening a review costs.
  await page.getByTestId("sync-status").getByText("Saved", { exact: true }).waitFor();
  return page.url();
}
const reviewShown = (page) => page.getByRole("heading", { level: 1, name: TITLE }).waitFor();

const browser = await launchBrowser();
try {
  let floor = "";
  if (process.env.COUNTER_URL && process.env.COUNTER_DIST) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const files = await fetched(page, `${process.env.COUNTER_URL}/`, (p) => p.locator("body > button").waitFor(), process.env.COUNTER_DIST);
    await context.close();
    floor = `Leptos counter ${kb(files.reduce((s, f) => s + f.br, 0))}`;
  }
  const pages = [
    ["/", formUsable],
    ["/feed", feedShown],
    ["review", reviewShown, startReview],
  ];
  for (const [name, ready, setup] of pages) {
    const files = await measure(browser, name, ready, setup);
    const app = files.filter((f) => f.kind !== "api");
    const api = files.filter((f) => f.kind === "api");
    const br = app.reduce((s, f) => s + f.br, 0);
    const wire = app.reduce((s, f) => s + f.bytes, 0);
    const encodings = [...new Set(app.map((f) => f.encoding || "identity"))].join("/");
    if (process.env.BENCH_VERBOSE) for (const f of files) console.error(`    ${name}: ${f.path} ${f.kind} ${kb(f.br)} (${f.encoding || "identity"})`);
    const label = name === "review" ? "a review page (/reviews/{id})" : name;
    row(`first load of ${label}: ${app.length} files (${breakdown(app)})`, kb(br), floor,
      `≤ ${BUDGET_KB[name]} KB: ${br <= BUDGET_KB[name] * 1024 ? "met" : "NOT met"}`);
    row(`  as transferred here (${encodings}); API and /healthz answers ${api.length}× ${kb(api.reduce((s, f) => s + f.bytes, 0))}`, kb(wire));
  }
} finally {
  await browser.close();
}
