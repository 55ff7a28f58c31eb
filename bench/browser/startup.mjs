// Startup benchmarks:
//   server cold start: spawning mosaic-server on a fresh SQLite file until its first answered
//     GET /healthz (the port is chosen beforehand so polling can start at once);
//   page load to interactive: navigation start (performance.timeOrigin) until the reviews
//     page's "Start a review" form is in the DOM with its fields and button usable, then
//     painted (requestAnimationFrame → setTimeout(0)); a fresh browser profile per load, so
//     nothing is cached. Beside it, the same for the Leptos counter (its button) as the floor.
// Needs MOSAIC_SERVER_BIN, MOSAIC_URL, and optionally COUNTER_URL. Prints ROW lines.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, median, ms, row } from "./common.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const bin = process.env.MOSAIC_SERVER_BIN;
const base = process.env.MOSAIC_URL;
const counter = process.env.COUNTER_URL;
if (!bin || !base) throw new Error("MOSAIC_SERVER_BIN and MOSAIC_URL must be set (scripts/bench.sh sets them)");
const log = (...a) => console.error("   ", ...a);

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** ms from spawn to the first 200 from /healthz, on a fresh SQLite file. */
async function coldStart() {
  const dir = mkdtempSync(join(tmpdir(), "mosaic-cold-"));
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(bin, ["--listen", `127.0.0.1:${port}`, "--database", `sqlite://${join(dir, "mosaic.db")}`, "--dist", process.env.MOSAIC_DIST ?? join(dir, "dist")], {
    stdio: "ignore",
    env: { ...process.env, RUST_LOG: "warn" },
  });
  let exited = false;
  child.once("exit", () => (exited = true));
  let took;
  for (;;) {
    if (exited) throw new Error("mosaic-server exited during start-up");
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      await r.arrayBuffer();
      if (r.ok) {
        took = performance.now() - t0;
        break;
      }
    } catch {
      // not listening yet
    }
    if (performance.now() - t0 > 20_000) throw new Error("mosaic-server did not answer /healthz within 20 s");
  }
  const gone = new Promise((r) => (exited ? r() : child.once("exit", r)));
  child.kill("SIGTERM");
  await gone;
  rmSync(dir, { recursive: true, force: true });
  return took;
}

/** In the page from its first moment: resolves window.__interactive with ms since navigation
 *  start once `usable()` holds and the frame showing it has been painted. */
const watch = (usable) => {
  window.__interactive = new Promise((resolve) => {
    const check = () => {
      if (!usable()) return false;
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
      return true;
    };
    const observer = new MutationObserver(() => check() && observer.disconnect());
    observer.observe(document, { childList: true, subtree: true, attributes: true });
  });
};
const reviewsFormUsable = () => {
  const form = document.querySelector('form[aria-labelledby="new-review-heading"]');
  const title = form?.querySelector("#title");
  const submit = form?.querySelector('button[type="submit"]');
  return !!(title && !title.disabled && submit && !submit.disabled);
};
const counterUsable = () => !!document.querySelector("body > button");

async function pageLoad(browser, url, usable) {
  const context = await browser.newContext(); // a fresh profile: empty HTTP cache and storage
  const page = await context.newPage();
  await page.addInitScript(`(${watch})(${usable})`);
  await page.goto(url);
  const t = await page.evaluate(() => window.__interactive);
  await context.close();
  return t;
}

const starts = [];
for (let i = 0; i < Math.max(RUNS, 7); i++) starts.push(await coldStart());
log(`cold starts (ms): ${starts.map((x) => x.toFixed(1)).join(", ")}`);
row("server cold start → first /healthz", ms(median(starts)), "fresh SQLite file each start");

const browser = await launchBrowser();
try {
  const app = [];
  const floor = [];
  for (let i = 0; i < RUNS; i++) {
    app.push(await pageLoad(browser, `${base}/`, reviewsFormUsable));
    if (counter) floor.push(await pageLoad(browser, `${counter}/`, counterUsable));
  }
  log(`page loads (ms): app ${app.map((x) => x.toFixed(0)).join(", ")}; counter ${floor.map((x) => x.toFixed(0)).join(", ")}`);
  row(
    "page load → “Start a review” usable",
    ms(median(app)),
    counter ? `Leptos counter ${ms(median(floor))} (${(median(app) / median(floor)).toFixed(2)}×)` : "",
  );
} finally {
  await browser.close();
}
