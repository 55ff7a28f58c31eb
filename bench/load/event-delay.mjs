// The delay from a commit on one server process to the live event on another: a review's event
// stream is held open on MOSAIC_LISTEN_URL while its facilitator changes it through
// MOSAIC_COMMIT_URL, one conditional write at a time; each delay runs from sending the write to
// the event naming its version arriving on the stream. The floor is the same with the stream on
// the committing process (no PostgreSQL NOTIFY in between).
// Needs MOSAIC_COMMIT_URL and MOSAIC_LISTEN_URL; optional BENCH_EVENTS (default 300).
// Prints ROW lines: figure, value, floor, budget.
const commitUrl = process.env.MOSAIC_COMMIT_URL;
const listenUrl = process.env.MOSAIC_LISTEN_URL;
if (!commitUrl || !listenUrl) throw new Error("MOSAIC_COMMIT_URL and MOSAIC_LISTEN_URL must be set");
const EVENTS = Number(process.env.BENCH_EVENTS ?? 300);

const json = { "content-type": "application/json" };

async function newReview() {
  const id = `bench-event-${process.pid}-${Date.now()}`;
  const response = await fetch(`${commitUrl}/api/v1/reviews`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({
      id,
      title: "Replica lag during failover",
      started_at: "2026-11-01T10:00:00Z",
      severity: "sev2",
      team: "Storage",
      services: ["orders-db"],
    }),
  });
  if (response.status !== 201) throw new Error(`creating a review: ${response.status} ${await response.text()}`);
  const created = await response.json();
  return { id, token: created.facilitator_token, version: created.review.version };
}

/** An open event stream: `next(version)` resolves when an event names `version` or later. */
async function listen(base, review) {
  const response = await fetch(`${base}/api/v1/reviews/${review.id}/events`, {
    headers: { authorization: `Bearer ${review.token}` },
  });
  if (response.status !== 200) throw new Error(`the event stream answered ${response.status}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let latest = 0;
  let waiting = null;
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = event.match(/^data: (.*)$/m);
        if (event.startsWith("event: review") && data) {
          latest = Math.max(latest, JSON.parse(data[1]).version);
          if (waiting && latest >= waiting.version) {
            waiting.resolve(performance.now());
            waiting = null;
          }
        }
      }
    }
  })();
  return {
    next: (version) =>
      new Promise((resolve) => {
        if (latest >= version) resolve(performance.now());
        else waiting = { version, resolve };
      }),
    close: () => reader.cancel(),
  };
}

let sequence = 0;
async function measure(listenBase) {
  const review = await newReview();
  const stream = await listen(listenBase, review);
  await stream.next(review.version);
  const delays = [];
  for (let i = 0; i < EVENTS; i++) {
    const sent = performance.now();
    const response = await fetch(`${commitUrl}/api/v1/reviews/${review.id}/ops`, {
      method: "POST",
      headers: { ...json, authorization: `Bearer ${review.token}` },
      body: JSON.stringify({
        op_id: `e-${process.pid}-${++sequence}`,
        base_version: review.version,
        op: { op: "set_summary", summary: `Revision ${sequence}` },
      }),
    });
    const answer = await response.json();
    if (response.status !== 200) throw new Error(`a write answered ${response.status}: ${JSON.stringify(answer)}`);
    review.version = answer.version;
    const heard = await Promise.race([
      stream.next(review.version),
      new Promise((_, reject) => setTimeout(() => reject(new Error("no event within 5 s")), 5_000)),
    ]);
    delays.push(heard - sent);
    await new Promise((r) => setTimeout(r, 10));
  }
  stream.close();
  delays.sort((a, b) => a - b);
  const at = (p) => delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))];
  return { p50: at(50), p99: at(99) };
}

const across = await measure(listenUrl);
const same = await measure(commitUrl);
const ms = (x) => `${x.toFixed(2)} ms`;
const row = (...cells) => console.log(["ROW", ...cells].join("\t"));
const what = `write on one process → event on another (${EVENTS} writes)`;
row(`${what}: p50`, ms(across.p50), `same process ${ms(same.p50)}`, "");
row(`${what}: p99`, ms(across.p99), `same process ${ms(same.p99)}`, "");
