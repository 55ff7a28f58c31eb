// Shared by the browser benchmarks: Debian's Chromium through the playwright-core that the
// browser tests already installed, a bench server on a fresh SQLite file, the generated review
// export, and small statistics helpers. Nothing here is downloaded.
import { createRequire } from "node:module";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, "..", "..");
// playwright-core ships with @playwright/test in tests/e2e; reuse it rather than install another.
const require = createRequire(join(ROOT, "tests", "e2e", "package.json"));
export const { chromium } = require("playwright-core");

/** Starts Chromium as ../../shared/TOOLCHAIN.md says: no downloads, no background traffic. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Starts mosaic-server on a free loopback port with a fresh SQLite file; resolves with its URL
 *  once it prints the address, plus the moment it was spawned (for cold-start timing). */
export async function startServer({ bin = process.env.MOSAIC_SERVER_BIN, dist = process.env.MOSAIC_DIST } = {}) {
  if (!bin || !dist) throw new Error("MOSAIC_SERVER_BIN and MOSAIC_DIST must be set (scripts/bench.sh sets them)");
  const dir = mkdtempSync(join(tmpdir(), "mosaic-bench-"));
  const spawnedAt = process.hrtime.bigint();
  const child = spawn(bin, ["--listen", "127.0.0.1:0", "--database", `sqlite://${join(dir, "mosaic.db")}`, "--dist", dist], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: "warn" },
  });
  let output = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    const onData = (chunk) => {
      output += chunk.toString();
      const m = output.match(/Mosaic is running at (http:\/\/[\d.:]+)\//);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    url,
    spawnedAt,
    stop: async () => {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const median = (xs) => quantile(xs, 0.5);
/** Nearest-rank quantile. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
export const ms = (x) => `${x.toFixed(1)} ms`;

/** One table row for scripts/bench.sh to print: figure, value, floor or comparison, budget. */
export function row(figure, value, floor = "", budget = "") {
  console.log(["ROW", figure, value, floor, budget].join("\t"));
}

// ---- The generated review export -------------------------------------------------------------

export const REVIEW_ID = "bench-2000";
export const ENTRIES = 2000;
export const PEOPLE = [
  { id: "alice", name: "Alice Smith", role: "on-call SRE", show_name_when_published: false },
  { id: "bob", name: "Bob Jones", role: "incident commander", show_name_when_published: false },
  { id: "carol", name: "Carol White", role: "database engineer", show_name_when_published: false },
];
/** The big account: one person's 10,000 entries, in a review of its own. */
export const BIG_REVIEW_ID = "bench-10000";
export const BIG_ENTRIES = 10000;
export const BIG_PEOPLE = [
  { id: "dana", name: "Dana Reyes", role: "platform engineer", show_name_when_published: false },
  { id: "erin", name: "Erin Cole", role: "incident commander", show_name_when_published: false },
];
export const label = (p) => `${p.name} (${p.role})`;

/** The canonical form of an account's content (docs/review-export.md), as group.spec.ts builds it. */
function canonical(reviewId, participantId, entries, observations) {
  const s = JSON.stringify;
  const e = entries.map(
    (x) =>
      `{"id":${s(x.id)},"at":${s(x.at)},"what_happened":${s(x.what_happened)},` +
      `"knew_or_believed":${s(x.knew_or_believed)},"what_i_did":${s(x.what_i_did)}}`,
  );
  const o = observations.map((x) => `{"id":${s(x.id)},"kind":${s(x.kind)},"text":${s(x.text)}}`);
  return (
    `{"format":"mosaic-account/1","review_id":${s(reviewId)},"participant_id":${s(participantId)},` +
    `"entries":[${e.join(",")}],"observations":[${o.join(",")}]}`
  );
}

function account(reviewId, participantId, entries, observations, submitted) {
  const commitment = createHash("sha256").update(canonical(reviewId, participantId, entries, observations), "utf8").digest("hex");
  return {
    review_id: reviewId,
    participant_id: participantId,
    version: 1,
    entries,
    observations,
    submitted_at: submitted ? "2026-11-02T09:00:00Z" : null,
    commitment: submitted ? commitment : null,
  };
}

/** n entries, 30 s apart, in words the blameless-language coach does not flag. */
export function entries(prefix, n) {
  const start = Date.parse("2026-11-01T10:00:00Z");
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i + 1}`,
    at: new Date(start + i * 30_000).toISOString().replace(".000Z", "Z"),
    what_happened: `Checkout latency reading ${i + 1} came in above the alert threshold`,
    knew_or_believed: `The cache was warming up after the deploy (${i + 1})`,
    what_i_did: `Watched the dashboard and noted the value (${i + 1})`,
  }));
}

/** A review export document in the "independent accounts" phase. */
function exportOf(id, people, accounts) {
  return JSON.stringify({
    format: "mosaic-review",
    version: 1,
    review: {
      id,
      version: 5,
      created_at: "2026-11-01T12:00:00Z",
      updated_at: "2026-11-02T10:00:00Z",
      facts: {
        title: "Checkout latency during the cache rebuild",
        started_at: "2026-11-01T10:00:00Z",
        severity: "sev2",
        team: "Payments",
        services: ["checkout"],
      },
      phase: "investigating",
      summary: "",
      participants: people,
      reference: [],
      submissions: accounts
        .filter((a) => a.commitment)
        .map((a) => ({ participant_id: a.participant_id, commitment: a.commitment, submitted_at: a.submitted_at })),
      revealed_at: null,
      links: [],
      votes: [],
      key_insights: [],
      actions: [],
      finding: null,
    },
    accounts,
  });
}

/** Alice and Bob each have a draft account of 2,000 entries (editable, so the full editor
 *  renders), Carol a small submitted one whose commitment the review recorded. */
export function reviewExport() {
  return exportOf(REVIEW_ID, PEOPLE, [
    account(REVIEW_ID, "alice", entries("a", ENTRIES), [], false),
    account(REVIEW_ID, "bob", entries("b", ENTRIES), [], false),
    account(REVIEW_ID, "carol", entries("c", 2), [{ id: "co1", kind: "technical", text: "The pool was too small" }], true),
  ]);
}

/** Dana has a draft account of 10,000 entries, Erin one of two. */
export function bigReviewExport() {
  return exportOf(BIG_REVIEW_ID, BIG_PEOPLE, [
    account(BIG_REVIEW_ID, "dana", entries("d", BIG_ENTRIES), [], false),
    account(BIG_REVIEW_ID, "erin", entries("e", 2), [], false),
  ]);
}

/** Puts a review export straight into the app's IndexedDB, as the app stores documents (JSON
 *  text; accounts under "{review}/{participant}"). An account past the editor's limit of 200
 *  entries (one kept from before the limit) cannot come in through the import form, which
 *  checks every limit; the page must have opened the app once, so its database exists. */
export async function seedIndexedDb(page, json) {
  await page.evaluate(async (text) => {
    const doc = JSON.parse(text);
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open("mosaic");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    await new Promise((resolve, reject) => {
      const tx = db.transaction(["reviews", "accounts"], "readwrite");
      tx.objectStore("reviews").put(JSON.stringify(doc.review), doc.review.id);
      for (const a of doc.accounts) tx.objectStore("accounts").put(JSON.stringify(a), `${a.review_id}/${a.participant_id}`);
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  }, json);
}
