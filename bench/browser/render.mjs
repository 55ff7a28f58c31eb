// Rendering benchmarks in headless Chromium, each beside the vanilla-JS page (vanilla.html)
// doing the same DOM work in the same run (both render only the entries near the screen):
//   (a) show an account of 2,000 entries ("Acting as" Facilitator → Alice): until the first
//       screen of it is painted,
//   (b) keystroke-to-paint while typing into one entry's "What I did" in such an account,
//   (c) switch between two participants' 2,000-entry accounts (Alice → Bob),
//   (d) the same show and keystrokes with an account of 10,000 entries (Dana's): the first
//       screen after the data is read (it is in memory once the page has loaded),
//   (e) the frame floor: keystroke-to-paint in a page holding one <textarea> (floor.html).
// Timing follows ../../shared/PERFORMANCE.md: performance.now() from the state change to
// requestAnimationFrame → setTimeout(0), several page loads, medians. Keystrokes count from the
// key event's own timestamp, so input queueing counts too. The app is seeded by writing the
// generated exports into its IndexedDB (common.mjs: accounts this big are past the import
// form's limits, as they are past the editor's).
// Needs MOSAIC_URL (a running bench server whose dist holds bench/vanilla.html, floor.html,
// review.json and review-10000.json). Prints ROW lines for scripts/bench.sh.
import { writeFileSync } from "node:fs";
import {
  launchBrowser,
  reviewExport,
  bigReviewExport,
  seedIndexedDb,
  REVIEW_ID,
  BIG_REVIEW_ID,
  ENTRIES,
  BIG_ENTRIES,
  PEOPLE,
  BIG_PEOPLE,
  median,
  quantile,
  ms,
  row,
} from "./common.mjs";

const base = process.env.MOSAIC_URL;
if (!base) throw new Error("MOSAIC_URL must be set (scripts/bench.sh sets it)");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const KEYS = Number(process.env.BENCH_KEYS ?? 30);
const TYPE_INTERVAL_MS = 100; // a fast typist: 10 characters a second
const log = (...a) => console.error("   ", ...a);

// In-page helpers, the same for every page.
const helpers = () => {
  const rows = () => document.querySelectorAll(".timeline-editor .entry-list > li");
  /** Sets "Acting as" and resolves with ms until the first frame painted with `prefix`'s
   *  entries filling the screen (or all `count` of them), re-checked every frame. */
  window.__switch = (value, count, prefix) =>
    new Promise((resolve) => {
      const select = document.getElementById("acting-as");
      const t0 = performance.now();
      select.value = value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      const check = () =>
        requestAnimationFrame(() =>
          setTimeout(() => {
            const r = rows();
            const ours = r.length > 0 && r[0].querySelector("textarea").id.startsWith(`entry-${prefix}`);
            const full = ours && (r.length === count || r[r.length - 1].getBoundingClientRect().bottom >= innerHeight);
            const done = count === 0 ? r.length === 0 : full;
            done ? resolve(performance.now() - t0) : check();
          }, 0),
        );
      check();
    });
  window.__keys = [];
  document.addEventListener(
    "keydown",
    (e) => {
      const start = e.timeStamp;
      requestAnimationFrame(() => setTimeout(() => window.__keys.push(performance.now() - start), 0));
    },
    true,
  );
};

async function settle(page) {
  // Let pending saves and timers finish so one measurement doesn't pay for the previous one.
  await page.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(() => setTimeout(r, 0)), 300)));
}

/** Types KEYS characters at the end of `selector`; resolves with the keystroke-to-paint times. */
async function typeInto(page, selector) {
  const field = page.locator(selector);
  await field.scrollIntoViewIfNeeded();
  await field.click();
  await page.keyboard.press("End");
  await settle(page);
  await page.evaluate(() => (window.__keys = []));
  const text = " and paged the database on-call engineer".slice(0, KEYS).padEnd(KEYS, ".");
  for (const ch of text) {
    await page.keyboard.press(ch === " " ? "Space" : ch);
    await page.waitForTimeout(TYPE_INTERVAL_MS);
  }
  await page.waitForFunction((n) => window.__keys.length >= n, KEYS);
  return page.evaluate(() => window.__keys);
}

/** Opens the review at `url` as the facilitator, runs `steps(page)`, and goes back to the
 *  facilitator so the next load starts from the same state (the app remembers the last
 *  "Acting as" per review). Returns what `steps` returns. */
async function onePageLoad(context, url, ready, steps) {
  const page = await context.newPage();
  await page.goto(url);
  await ready(page);
  await page.evaluate(helpers);
  await page.evaluate(() => window.__switch("facilitator", 0, ""));
  await settle(page);
  const figures = await steps(page);
  await page.evaluate(() => window.__switch("facilitator", 0, ""));
  await settle(page);
  await page.close();
  return figures;
}

/** One page load of the 2,000-entry review: (a), (c), then (b). Returns { show, sw, p50, p95 }. */
function measure(context, url, ready) {
  return onePageLoad(context, url, ready, async (page) => {
    const show = await page.evaluate(([c]) => window.__switch("alice", c, "a"), [ENTRIES]);
    await settle(page);
    const sw = await page.evaluate(([c]) => window.__switch("bob", c, "b"), [ENTRIES]);
    await settle(page);
    const keys = await typeInto(page, "#entry-b2-did");
    return { show, sw, p50: quantile(keys, 0.5), p95: quantile(keys, 0.95) };
  });
}

/** One page load of the 10,000-entry review: (d). Returns { show, p50, p95 }. */
function measureBig(context, url, ready) {
  return onePageLoad(context, url, ready, async (page) => {
    const show = await page.evaluate(([c]) => window.__switch("dana", c, "d"), [BIG_ENTRIES]);
    await settle(page);
    const keys = await typeInto(page, "#entry-d2-did");
    return { show, p50: quantile(keys, 0.5), p95: quantile(keys, 0.95) };
  });
}

/** One page load of the one-textarea page: (e). Returns { p50, p95 }. */
async function measureFloor(context) {
  const page = await context.newPage();
  await page.goto(`${base}/bench/floor.html`);
  await page.evaluate(helpers);
  const keys = await typeInto(page, "#floor-text");
  await page.close();
  return { p50: quantile(keys, 0.5), p95: quantile(keys, 0.95) };
}

const browser = await launchBrowser();
try {
  const options = { timezoneId: "UTC", viewport: { width: 1280, height: 900 } };
  const appContext = await browser.newContext(options);
  const vanillaContext = await browser.newContext(options);

  // The app's database exists once it has been opened; then both reviews go in.
  const seed = await appContext.newPage();
  await seed.goto(`${base}/`);
  await seed.getByRole("heading", { level: 1 }).waitFor();
  await seedIndexedDb(seed, reviewExport());
  await seedIndexedDb(seed, bigReviewExport());
  await seed.close();

  const appReady = (people) => (page) =>
    page.getByLabel("Acting as").locator(`option[value="${people[1].id}"]`).waitFor({ state: "attached", timeout: 60_000 });
  const vanillaReady = (page) => page.waitForFunction(() => document.body.dataset.ready === "true");
  const app = [];
  const vanilla = [];
  const appBig = [];
  const vanillaBig = [];
  const floor = [];
  const fmt = (x) => JSON.stringify(x, (k, v) => (typeof v === "number" ? +v.toFixed(1) : v));
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so every page shares whatever else the machine is doing.
    app.push(await measure(appContext, `${base}/reviews/${REVIEW_ID}`, appReady(PEOPLE)));
    vanilla.push(await measure(vanillaContext, `${base}/bench/vanilla.html`, vanillaReady));
    appBig.push(await measureBig(appContext, `${base}/reviews/${BIG_REVIEW_ID}`, appReady(BIG_PEOPLE)));
    vanillaBig.push(await measureBig(vanillaContext, `${base}/bench/vanilla.html?review=review-10000.json`, vanillaReady));
    floor.push(await measureFloor(vanillaContext));
    log(`run ${i + 1}/${RUNS}: app ${fmt(app[i])}, 10,000: ${fmt(appBig[i])}`);
    log(`         vanilla ${fmt(vanilla[i])}, 10,000: ${fmt(vanillaBig[i])}; one textarea ${fmt(floor[i])}`);
  }
  if (process.env.BENCH_RAW) writeFileSync(process.env.BENCH_RAW, JSON.stringify({ app, vanilla, appBig, vanillaBig, floor }, null, 2));

  const m = (xs, k) => median(xs.map((x) => x[k]));
  const met = (ok) => (ok ? "met" : "NOT met");
  const versus = (a, v, k) => `vanilla JS ${ms(m(v, k))} (${(m(a, k) / m(v, k)).toFixed(2)}×)`;
  const within = (a, v, k, budget) => `≤ ${budget}× vanilla: ${met(m(a, k) / m(v, k) <= budget)}`;
  const floorNote = (k) => `; one textarea ${ms(m(floor, k))}`;
  const n = (x) => x.toLocaleString("en");
  row(`show account, ${n(ENTRIES)} entries (first screen)`, ms(m(app, "show")), versus(app, vanilla, "show"), within(app, vanilla, "show", 1.25));
  row(`keystroke-to-paint p50, ${n(ENTRIES)} entries`, ms(m(app, "p50")), versus(app, vanilla, "p50") + floorNote("p50"));
  row(`keystroke-to-paint p95, ${n(ENTRIES)} entries`, ms(m(app, "p95")), versus(app, vanilla, "p95") + floorNote("p95"), within(app, vanilla, "p95", 1.25));
  row(`switch "Acting as" (${n(ENTRIES)} → ${n(ENTRIES)})`, ms(m(app, "sw")), versus(app, vanilla, "sw"));
  row(`first screen of ${n(BIG_ENTRIES)} entries, data read`, ms(m(appBig, "show")), versus(appBig, vanillaBig, "show"), `≤ 200 ms: ${met(m(appBig, "show") <= 200)}`);
  row(`keystroke-to-paint p50, ${n(BIG_ENTRIES)} entries`, ms(m(appBig, "p50")), versus(appBig, vanillaBig, "p50") + floorNote("p50"));
  row(`keystroke-to-paint p95, ${n(BIG_ENTRIES)} entries`, ms(m(appBig, "p95")), versus(appBig, vanillaBig, "p95") + floorNote("p95"), within(appBig, vanillaBig, "p95", 1.25));
  row("keystroke-to-paint, one textarea (the frame floor): p50 / p95", `${ms(m(floor, "p50"))} / ${ms(m(floor, "p95"))}`, "");
} finally {
  await browser.close();
}
