// Rendering benchmarks in headless Chromium, each beside the vanilla-JS page (vanilla.html)
// doing the same DOM work in the same run:
//   (a) show an account of 2,000 entries ("Acting as" Facilitator → Alice),
//   (b) keystroke-to-paint while typing into one entry's "What I did" in that account,
//   (c) switch between two participants' 2,000-entry accounts (Alice → Bob).
// Timing follows ../../shared/PERFORMANCE.md: performance.now() from the state change to
// requestAnimationFrame → setTimeout(0), several page loads, medians. The app is seeded once
// through its own import UI with a generated export (common.mjs).
// Needs MOSAIC_URL (a running bench server whose dist holds bench/vanilla.html and
// bench/review.json). Prints ROW lines for scripts/bench.sh.
import { writeFileSync } from "node:fs";
import { launchBrowser, reviewExport, REVIEW_ID, ENTRIES, PEOPLE, label, median, quantile, ms, row } from "./common.mjs";

const base = process.env.MOSAIC_URL;
if (!base) throw new Error("MOSAIC_URL must be set (scripts/bench.sh sets it)");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const KEYS = Number(process.env.BENCH_KEYS ?? 30);
const TYPE_INTERVAL_MS = 100; // a fast typist: 10 characters a second
const log = (...a) => console.error("   ", ...a);

// In-page helpers, the same for both pages.
const helpers = () => {
  const rows = () => document.querySelectorAll(".timeline-editor .entry-list > li");
  /** Sets "Acting as" and resolves with ms until the first frame painted with `count` rows of
   *  `prefix`'s entries (requestAnimationFrame → setTimeout(0), re-checked every frame). */
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
            const done = r.length === count && (count === 0 || r[0].querySelector("textarea").id.startsWith(`entry-${prefix}`));
            done ? resolve(performance.now() - t0) : check();
          }, 0),
        );
      check();
    });
  // Keystroke-to-paint: from the key event's own timestamp (so input queueing counts) to the
  // paint that follows it.
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

/** One page load of one page: (a), (c), then (b). Returns { show, sw, p50, p95 } in ms. */
async function measure(context, url, ready) {
  const page = await context.newPage();
  await page.goto(url);
  await ready(page);
  await page.evaluate(helpers);
  // Start from the facilitator (the app remembers the last "Acting as" per review).
  await page.evaluate(() => window.__switch("facilitator", 0, ""));
  await settle(page);
  const show = await page.evaluate(([c]) => window.__switch("alice", c, "a"), [ENTRIES]);
  await settle(page);
  const sw = await page.evaluate(([c]) => window.__switch("bob", c, "b"), [ENTRIES]);
  await settle(page);
  // Type at the end of Bob's middle entry's "What I did".
  const field = page.locator(`#entry-b${ENTRIES / 2}-did`);
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
  const keys = await page.evaluate(() => window.__keys);
  // Back to the facilitator so the next load starts from the same state.
  await page.evaluate(() => window.__switch("facilitator", 0, ""));
  await settle(page);
  await page.close();
  return { show, sw, p50: quantile(keys, 0.5), p95: quantile(keys, 0.95) };
}

const browser = await launchBrowser();
try {
  const options = { timezoneId: "UTC", viewport: { width: 1280, height: 900 } };
  const appContext = await browser.newContext(options);
  const vanillaContext = await browser.newContext(options);

  // Seed the app through its own import UI, as a person would.
  const seed = await appContext.newPage();
  await seed.goto(`${base}/`);
  await seed.getByLabel("Review file (JSON)").setInputFiles({ name: "review.json", mimeType: "application/json", buffer: Buffer.from(reviewExport()) });
  await seed.waitForURL(new RegExp(`/reviews/${REVIEW_ID}$`), { timeout: 120_000 });
  await seed.getByRole("heading", { level: 1 }).waitFor();
  await seed.getByLabel("Acting as").selectOption({ label: "Facilitator" });
  await settle(seed);
  await seed.close();

  const appReady = (page) => page.getByLabel("Acting as").locator(`option[value="${PEOPLE[1].id}"]`).waitFor({ state: "attached" });
  const vanillaReady = (page) => page.waitForFunction(() => document.body.dataset.ready === "true");
  const app = [];
  const vanilla = [];
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so both pages share whatever else the machine is doing.
    app.push(await measure(appContext, `${base}/reviews/${REVIEW_ID}`, appReady));
    vanilla.push(await measure(vanillaContext, `${base}/bench/vanilla.html`, vanillaReady));
    log(`run ${i + 1}/${RUNS}: app ${JSON.stringify(app[i], (k, v) => (typeof v === "number" ? +v.toFixed(1) : v))}`);
    log(`         vanilla ${JSON.stringify(vanilla[i], (k, v) => (typeof v === "number" ? +v.toFixed(1) : v))}`);
  }
  if (process.env.BENCH_RAW) writeFileSync(process.env.BENCH_RAW, JSON.stringify({ app, vanilla }, null, 2));

  const m = (xs, k) => median(xs.map((x) => x[k]));
  const ratio = (k) => m(app, k) / m(vanilla, k);
  const versus = (k) => `vanilla JS ${ms(m(vanilla, k))} (${ratio(k).toFixed(2)}×)`;
  const met = (ok) => (ok ? "met" : "NOT met");
  row(`show account, ${ENTRIES.toLocaleString("en")} entries`, ms(m(app, "show")), versus("show"), `≤ 2× vanilla: ${met(ratio("show") <= 2)}`);
  row("keystroke-to-paint p50", ms(m(app, "p50")), versus("p50"));
  row("keystroke-to-paint p95", ms(m(app, "p95")), versus("p95"), `< 16 ms: ${met(m(app, "p95") < 16)}`);
  row(`switch "Acting as" (${ENTRIES.toLocaleString("en")} → ${ENTRIES.toLocaleString("en")})`, ms(m(app, "sw")), versus("sw"));
} finally {
  await browser.close();
}
