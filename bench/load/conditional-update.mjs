// Conditional updates under load: clients each own a review and change its summary again and
// again through POST /api/v1/reviews/{id}/ops, each request made against the version the
// previous answer gave (If-Match style, so every request is a real compare-and-set write that
// the server commits durably). Run from its own process (scripts/bench.sh pins it to CPU 1).
//
// Two runs: a fixed offered rate (requests are sent on schedule and latency is counted from
// when each should have been sent, so a stall shows instead of lowering the rate), and a closed
// loop (each client sends its next write as soon as the previous one is answered).
// Needs MOSAIC_URL; optional BENCH_RATE (req/s, default 250; 0 runs the closed loop only),
// BENCH_SECONDS (default 10), BENCH_CLIENTS (default 16), BENCH_LABEL (said after each figure's
// name, such as "through the balancer, 3 processes"). Prints ROW lines: figure, value, floor,
// budget.
const base = process.env.MOSAIC_URL;
if (!base) throw new Error("MOSAIC_URL must be set (scripts/bench.sh sets it)");
const RATE = Number(process.env.BENCH_RATE ?? 250);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const accessKey = process.env.MOSAIC_ACCESS_KEY;

const headers = (token) => ({
  "content-type": "application/json",
  ...(token ? { authorization: `Bearer ${token}` } : {}),
  ...(accessKey ? { "x-mosaic-access-key": accessKey } : {}),
});

async function newReview(n) {
  const id = `bench-write-${process.pid}-${n}-${Date.now()}`;
  const response = await fetch(`${base}/api/v1/reviews`, {
    method: "POST",
    headers: headers(),
    body: JSON.stringify({
      id,
      title: "Checkout errors after the 10:00 deploy",
      started_at: "2026-11-01T10:00:00Z",
      severity: "sev2",
      team: "Payments",
      services: ["checkout"],
    }),
  });
  if (response.status !== 201) throw new Error(`creating a review: ${response.status} ${await response.text()}`);
  const created = await response.json();
  return { id, token: created.facilitator_token, version: created.review.version };
}

let sequence = 0;
/** One conditional write; returns its latency in ms, counted from `scheduled`. */
async function write(client, scheduled) {
  const body = JSON.stringify({
    op_id: `w-${process.pid}-${++sequence}`,
    base_version: client.version,
    op: { op: "set_summary", summary: `Summary revision ${sequence}: the cache was cold after the deploy.` },
  });
  const response = await fetch(`${base}/api/v1/reviews/${client.id}/ops`, {
    method: "POST",
    headers: headers(client.token),
    body,
  });
  const answer = await response.json();
  const done = performance.now();
  if (response.status !== 200) throw new Error(`a conditional write answered ${response.status}: ${JSON.stringify(answer)}`);
  client.version = answer.version;
  return done - scheduled;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function run(clients, rate) {
  const latencies = [];
  const start = performance.now();
  const end = start + SECONDS * 1000;
  const interval = rate > 0 ? (1000 * clients.length) / rate : 0;
  await Promise.all(
    clients.map(async (client, i) => {
      // Each client's schedule is offset so the offered load is even.
      let next = performance.now() + (interval * i) / clients.length;
      while (true) {
        const now = performance.now();
        if (rate > 0) {
          if (next > now) await new Promise((r) => setTimeout(r, next - now));
        } else {
          next = now;
        }
        if (next >= end) break;
        latencies.push(await write(client, next));
        next += interval;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    rate: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    count: latencies.length,
  };
}

const clients = [];
for (let i = 0; i < CLIENTS; i++) clients.push(await newReview(i));
// Warm up the connections and the statements.
for (const c of clients) await write(c, performance.now());

const fixed = RATE > 0 ? await run(clients, RATE) : null;
const closed = await run(clients, 0);
const ms = (x) => `${x.toFixed(2)} ms`;
const row = (...cells) => console.log(["ROW", ...cells].join("\t"));
const label = process.env.BENCH_LABEL ? `, ${process.env.BENCH_LABEL}` : "";
const what = `conditional update (${CLIENTS} clients, own review each)${label}`;
if (fixed) {
  row(`${what} at ${RATE} req/s: achieved`, `${fixed.rate.toFixed(0)} req/s`, "", "");
  row(`${what} at ${RATE} req/s: p50`, ms(fixed.p50), "", "");
  row(`${what} at ${RATE} req/s: p99`, ms(fixed.p99), "", "");
}
row(`${what}, closed loop`, `${closed.rate.toFixed(0)} req/s`, `p50 ${ms(closed.p50)}, p99 ${ms(closed.p99)}`, "");
