#!/usr/bin/env bash
# Mosaic's benchmarks: prints every figure beside its floor (what the same work costs at the
# least on this machine) and, where the product sets one, its budget as "met" / "NOT met".
# Not part of scripts/test.sh: figures depend on the machine and take minutes to gather.
#
# Usage: scripts/bench.sh
#   BENCH_RUNS=5           page loads / server starts per figure (medians are reported)
#   BENCH_LOAD_SECONDS=10  length of each HTTP load run
#   BENCH_FEED_FINDINGS=100000  published findings seeded for the feed search figures
#   MOSAIC_BENCH_POSTGRES_URL   a PostgreSQL server for the feed figures on PostgreSQL too
#                               (default: MOSAIC_TEST_POSTGRES_URL; skipped when neither answers)
#   BENCH_FEED_MILLION=1        also the feed at 1,000,000 findings on both databases (opt-in:
#                               seeding takes ten times the 100,000 run's, whose time each
#                               section's title prints: on a busy 2-core machine 100,000 took
#                               about 5 min on SQLite and 10 min on PostgreSQL, so count an hour
#                               and a half for the pair at 1,000,000)
#   BENCH_SOAK_ROUNDS=250  rounds per writer in the concurrency soak (16 writers)
#   BENCH_ONLY="feed cluster"   only these parts: download rendering server feed cluster soak
#                               startup
#
# Method (../shared/PERFORMANCE.md): never measure while compiling; browser timings run from
# the state change to requestAnimationFrame → setTimeout(0), always beside a vanilla-JS page
# doing the same DOM work in the same run; load comes from a separate process on loopback,
# bounded in time, at a fixed rate.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/setup.sh" --bench
cd "$ROOT"

RUNS=${BENCH_RUNS:-5}
LOAD_SECONDS=${BENCH_LOAD_SECONDS:-10}
RATE=1000          # req/s for the "p99 at N req/s" budget
BUDGET_P99_MS=5
SERVER_BIN="$ROOT/target/server/mosaic-server"
SEED_BIN="$ROOT/target/server/examples/seed_feed"
FEED_FINDINGS=${BENCH_FEED_FINDINGS:-100000}
BUDGET_SEARCH_P95_MS=20
BUDGET_SEARCH_P95_MS_MILLION=50
SOAK_WRITERS=16 # fixed by the test (WRITERS in crates/server/tests/api/sync.rs)
SOAK_ROUNDS=${BENCH_SOAK_ROUNDS:-250}

work=$(mktemp -d "${TMPDIR:-/tmp}/mosaic-bench.XXXXXX")
results="$work/results.tsv" # section<TAB>figure<TAB>value<TAB>floor<TAB>budget, printed at the end
server_pids=()
cleanup() {
  local pid
  for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

# ---- Helpers ---------------------------------------------------------------------------------

# Whether part $1 is to be measured (BENCH_ONLY, default every part).
want() { [[ -z ${BENCH_ONLY:-} || " $BENCH_ONLY " == *" $1 "* ]]; }

# Records one table row under the current section.
section=""
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$section" "$1" "$2" "${3:-}" "${4:-}" >>"$results"; }
# Records the ROW lines a node benchmark prints (figure, value, floor, budget).
rows_from() {
  local tag figure value floor budget
  while IFS=$'\t' read -r tag figure value floor budget; do
    [[ $tag == ROW ]] && row "$figure" "$value" "$floor" "$budget"
  done
}
verdict() { if "$@"; then echo met; else echo "NOT met"; fi; }
thousands() { sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta' <<<"$1"; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }

# Compiling beside a measurement skews it (two shared cores). Remember if it happened.
compiling_seen=false
note_compilers() {
  if pgrep -f rustc >/dev/null; then
    compiling_seen=true
    printf 'warning: rustc is running (%s): these figures are not reliable\n' "$1" >&2
  fi
}

# Sets $pin to the command prefix that pins a process to one CPU, so the server and the load
# generator don't take turns on one core; empty without taskset or with a single CPU.
pin_to() {
  pin=()
  if command -v taskset >/dev/null && (($(nproc) > 1)); then pin=(taskset -c "$1"); fi
}

# Starts mosaic-server on a fresh SQLite file (or on DATABASE) serving DIST (optionally pinned
# to CPU) and sets $server_url once it says it is running. Not run in $(…): the pid must be
# remembered here, for cleanup.
server_url=""
start_server() {
  local name=$1 dist=$2 cpu=${3:-} database=${4:-"sqlite://$work/$1.db"} out="$work/$1.out"
  local pin=()
  [[ -n $cpu ]] && pin_to "$cpu"
  : >"$out"
  # A simple command, so $! is the server itself (taskset execs it) and cleanup can stop it.
  # Without rate limits: every request comes from the one load generator's address.
  RUST_LOG=warn "${pin[@]}" "$SERVER_BIN" --listen 127.0.0.1:0 --database "$database" \
    --dist "$dist" --no-rate-limits >"$out" 2>"$work/$name.err" &
  server_pids+=($!)
  local i
  server_url=""
  for ((i = 0; i < 200; i++)); do
    server_url=$(grep -oE 'http://[0-9.:]+' "$out" || true)
    [[ -n $server_url ]] && return 0
    sleep 0.05
  done
  die "the $name server did not start: $(cat "$work/$name.err")"
}

# ---- Build -----------------------------------------------------------------------------------

say "Building the app, the server and the counter floor (release, wasm-opt -Oz)"
"$ROOT/scripts/build.sh" >/dev/null
cargo build --quiet --profile server -p mosaic-server --example seed_feed
counter_dist="$ROOT/target/bench/counter"
# The same size levers as the app, so the floor is a fair one.
(cd bench/counter && with_release_wasm_env trunk build --release --dist "$counter_dist" >/dev/null)
# Precompressed like the app's, so the counter's page load is a fair floor.
find "$counter_dist" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.html' \) | while read -r f; do
  brotli -f -q 11 -o "$f.br" "$f"
  gzip -f -9 -k "$f"
done

# The bench servers serve a copy of dist/ plus the benchmark's own files, never the repo's dist/.
cp -r dist "$work/dist"
mkdir -p "$work/dist/bench"
cp bench/browser/vanilla.html bench/browser/vanilla.js bench/browser/floor.html "$work/dist/bench/"
node --input-type=module -e \
  'import { reviewExport } from "./bench/browser/common.mjs"; process.stdout.write(reviewExport())' \
  >"$work/dist/bench/review.json"
node --input-type=module -e \
  'import { bigReviewExport } from "./bench/browser/common.mjs"; process.stdout.write(bigReviewExport())' \
  >"$work/dist/bench/review-10000.json"

# ---- 1. Download -----------------------------------------------------------------------------

if want download; then

# raw, gzip -9 and brotli -11 bytes of the files in a dist dir matching a pattern
sizes() {
  local dir=$1 pattern=$2 raw=0 gz=0 br=0 f
  while read -r f; do
    raw=$((raw + $(wc -c <"$f")))
    gz=$((gz + $(gzip -9 -c "$f" | wc -c)))
    br=$((br + $(brotli -q 11 -c "$f" | wc -c)))
  done < <(find "$dir" -maxdepth 1 -type f -name "$pattern" ! -name '*.gz' ! -name '*.br')
  echo "$raw $gz $br"
}

say "First load in headless Chromium (what the browser fetches)"
section="Download (what Chromium fetches for a first load, from its network log; brotli -11; KB = 1024 bytes)"
start_server download "$work/dist"
download_url=$server_url
start_server counter-download "$counter_dist"
MOSAIC_URL=$download_url MOSAIC_DIST=$work/dist COUNTER_URL=$server_url COUNTER_DIST=$counter_dist \
  node bench/browser/download.mjs | rows_from
# The whole build: what the offline app shell downloads in the background after a first visit.
total_br=0
parts=""
for kind in wasm js css; do
  read -r raw gz br <<<"$(sizes dist "*.$kind")"
  total_br=$((total_br + br))
  parts+="${parts:+, }$kind $(kb "$br") (raw $(kb "$raw"), gzip $(kb "$gz"))"
done
row "whole app, every part ($(find dist -maxdepth 1 -name '*.wasm' | wc -l) wasm files), kept for offline after the first visit: $parts" \
  "$(kb "$total_br")"
fi

# ---- 2. Rendering in headless Chromium -------------------------------------------------------

if want rendering; then

say "Rendering in headless Chromium ($RUNS page loads each, app and vanilla JS interleaved)"
section="Rendering (headless Chromium, median of $RUNS loads; vanilla JS page in the same run)"
start_server browser "$work/dist"
browser_url=$server_url
note_compilers "rendering"
MOSAIC_URL=$browser_url BENCH_RUNS=$RUNS node bench/browser/render.mjs | rows_from
note_compilers "rendering"
fi

# ---- 3. Server under load --------------------------------------------------------------------

# The figures of one oha run at a fixed rate (or closed loop when rate is 0), as
# "req/s p50_ms p99_ms non_200_count". The server is on CPU 0, the load generator on CPU 1.
load() {
  local url=$1 rate=$2 args=(-z "${LOAD_SECONDS}s" --no-tui --output-format json "${auth[@]}")
  if ((rate > 0)); then
    # --latency-correction counts from when each request should have been sent, so a stall
    # shows in the latencies instead of hiding as a lower rate (coordinated omission).
    args+=(-q "$rate" -c 16 --latency-correction)
  else
    args+=(-c 32)
  fi
  # Requests still in flight at the deadline are cut off by design ("aborted due to deadline");
  # any other error or status counts as a failure.
  local pin=()
  pin_to 1
  "${pin[@]}" oha "${args[@]}" "$url" 2>/dev/null | jq -r '[
      .summary.requestsPerSec,
      .latencyPercentiles.p50 * 1000,
      .latencyPercentiles.p99 * 1000,
      ([.statusCodeDistribution | to_entries[] | select(.key != "200") | .value] | add // 0)
        + ([.errorDistribution | to_entries[] | select(.key != "aborted due to deadline") | .value] | add // 0)
    ] | map(tostring) | join(" ")'
}
fmt_ms() { awk -v x="$1" 'BEGIN { printf "%.2f ms", x }'; }
fmt_rate() { awk -v x="$1" 'BEGIN { printf "%.0f req/s", x }'; }

if want server; then
say "Server under load (${LOAD_SECONDS} s per run)"
section="Server (loopback; server on CPU 0, oha on CPU 1; ${LOAD_SECONDS} s per run)"
start_server load "$work/dist" 0
api_url=$server_url
review_id=bench-read-1
created=$(curl -fsS -H 'content-type: application/json' "$api_url/api/v1/reviews" -d "{
  \"id\": \"$review_id\", \"title\": \"Checkout errors after the 10:00 deploy\",
  \"started_at\": \"2026-11-01T10:00:00Z\", \"severity\": \"sev2\", \"team\": \"Payments\",
  \"services\": [\"checkout\", \"payments-api\"] }")
# Where the server hands out a facilitator token on creation, reads must carry it. The static
# floor gets the same header, so both requests are the same size.
token=$(jq -r '.facilitator_token // empty' <<<"$created")
auth=()
[[ -n $token ]] && auth=(-H "Authorization: Bearer $token")
api="$api_url/api/v1/reviews/$review_id"
# The floor: the very same JSON bytes as a static file from the same server.
curl -fsS "${auth[@]}" -o "$work/dist/bench/review-read.json" "$api"
static="$api_url/bench/review-read.json"
bytes=$(wc -c <"$work/dist/bench/review-read.json")
section+=": GET /api/v1/reviews/{id} ($bytes B of JSON) beside the same bytes as a static file"

if command -v oha >/dev/null; then
  note_compilers "load"
  read -r a_rps a_p50 a_p99 a_bad <<<"$(load "$api" "$RATE")"
  read -r s_rps s_p50 s_p99 s_bad <<<"$(load "$static" "$RATE")"
  read -r a_max _ _ a_bad2 <<<"$(load "$api" 0)"
  read -r s_max _ _ s_bad2 <<<"$(load "$static" 0)"
  note_compilers "load"
  ((a_bad + s_bad + a_bad2 + s_bad2 == 0)) || die "some load requests did not answer 200"
  what="read a review"
  row "$what at 1,000 req/s: achieved" "$(fmt_rate "$a_rps")" "static file $(fmt_rate "$s_rps")"
  row "$what at 1,000 req/s: p50" "$(fmt_ms "$a_p50")" "static file $(fmt_ms "$s_p50")"
  row "$what at 1,000 req/s: p99" "$(fmt_ms "$a_p99")" "static file $(fmt_ms "$s_p99")" \
    "< $BUDGET_P99_MS ms: $(verdict awk -v x="$a_p99" -v b="$BUDGET_P99_MS" 'BEGIN { exit !(x < b) }')"
  row "$what, closed loop, 32 connections" "$(fmt_rate "$a_max")" "static file $(fmt_rate "$s_max")"
else
  # setup.sh falls back to Debian's wrk where oha does not build. wrk cannot hold a fixed
  # rate, so the budget (p99 at a fixed rate) cannot be judged with it.
  pin=()
  pin_to 1
  wrk_p99() { "${pin[@]}" wrk -t1 -c16 -d"${LOAD_SECONDS}s" --latency "${auth[@]}" "$1" | awk '/ 99%/ { print $2 }'; }
  wrk_rps() { "${pin[@]}" wrk -t1 -c16 -d"${LOAD_SECONDS}s" "${auth[@]}" "$1" | awk '/Requests\/sec/ { print $2 }'; }
  what="read a review, wrk closed loop"
  row "$what: req/s" "$(wrk_rps "$api")" "static file $(wrk_rps "$static")"
  row "$what: p99" "$(wrk_p99 "$api")" "static file $(wrk_p99 "$static")" \
    "p99 at $RATE req/s: not judged (wrk is closed-loop; oha missing)"
fi
# Conditional updates: 16 clients, each changing its own review's summary through the ops
# route against the version the last answer gave (a durable compare-and-set write each), at a
# fixed rate and closed-loop. Its own process, on CPU 1.
pin_to 1
note_compilers "load"
MOSAIC_URL=$api_url BENCH_SECONDS=$LOAD_SECONDS "${pin[@]}" node bench/load/conditional-update.mjs | rows_from
note_compilers "load"
fi

# ---- 4. The findings feed at 100,000 (and 1,000,000) findings --------------------------------

# Every shape of search a person makes: typed as "rollback pool" is typed (one request per
# keystroke that changes the words), three words, each filter with a word, a filter alone, a
# date range, and a word nothing holds. The team, tag and service are among the seeded ones.
FEED_QUERIES=("q=ro" "q=roll" "q=rollback" "q=rollback+po" "q=rollback+pool" "q=rollback+pool+ti"
  "q=disk&team=Payments" "q=timeout&kind=knowledge_gap" "q=cache&tag=dns" "q=pool&service=database-3"
  "team=Storage" "tag=backups&kind=technical" "q=lag&from=2025-03-01&to=2025-03-31" "q=zzqqx")
FEED_RATE=100 # req/s: a few people typing at once
FEED_SECONDS=${BENCH_FEED_SECONDS:-5}

# "p50_ms p95_ms non_200_count" of GET URL at $FEED_RATE req/s for $FEED_SECONDS s, from CPU 1.
latency() {
  local pin=()
  pin_to 1
  "${pin[@]}" oha -z "${FEED_SECONDS}s" -q "$FEED_RATE" -c 4 --latency-correction --no-tui \
    --output-format json "$1" 2>/dev/null | jq -r '[
      .latencyPercentiles.p50 * 1000,
      .latencyPercentiles.p95 * 1000,
      ([.statusCodeDistribution | to_entries[] | select(.key != "200") | .value] | add // 0)
        + ([.errorDistribution | to_entries[] | select(.key != "aborted due to deadline") | .value] | add // 0)
    ] | map(tostring) | join(" ")'
}

# Seeds DATABASE with COUNT published findings, serves it, and records the feed's first page
# and each search of FEED_QUERIES beside the budget (BUDGET ms at p95).
feed_rows() {
  local name=$1 database=$2 count=$3 budget=$4 settle=${5:-}
  say "Seeding $count published findings on $name"
  local began=$SECONDS
  nice -n 10 "$SEED_BIN" --database "$database" --count "$count" >/dev/null 2>"$work/seed-$name.err" ||
    die "seeding $name failed: $(tail -3 "$work/seed-$name.err")"
  local seeded=$((SECONDS - began))
  if [[ -n $settle ]]; then "$settle"; fi # settle the database after the bulk load, as in use
  start_server "feed-$name-$count" "$work/dist" 0 "$database"
  local url=$server_url
  section="Feed at $(thousands "$count") findings on $name (seeded in ${seeded} s; oha at $FEED_RATE req/s, ${FEED_SECONDS} s per query)"
  note_compilers "feed"
  read -r page_p50 page_p95 bad <<<"$(latency "$url/api/v1/feed")"
  ((bad == 0)) || die "feed page requests did not all answer 200"
  row "feed first page (GET /api/v1/feed): p50 / p95" "$(fmt_ms "$page_p50") / $(fmt_ms "$page_p95")" "" \
    "p95 < $budget ms: $(verdict awk -v x="$page_p95" -v b="$budget" 'BEGIN { exit !(x < b) }')"
  local query total p50 p95
  for query in "${FEED_QUERIES[@]}"; do
    total=$(curl -fsS "$url/api/v1/feed?$query" | jq .total)
    read -r p50 p95 bad <<<"$(latency "$url/api/v1/feed?$query")"
    ((bad == 0)) || die "search requests ($query) did not all answer 200"
    row "${query//+/ } ($(thousands "$total") matches): p50 / p95" \
      "$(fmt_ms "$p50") / $(fmt_ms "$p95")" "first page p95 $(fmt_ms "$page_p95")" \
      "p95 < $budget ms: $(verdict awk -v x="$p95" -v b="$budget" 'BEGIN { exit !(x < b) }')"
  done
  note_compilers "feed"
  kill "${server_pids[-1]}" 2>/dev/null || true
}

# The PostgreSQL server the feed and cluster figures use, when one answers.
pg_url=${MOSAIC_BENCH_POSTGRES_URL:-$(postgres_test_url || true)}
pg_sep='?'
[[ $pg_url == *\?* ]] && pg_sep='&'
# A fresh schema $1 in that database, and its URL in $pg_schema_url; false when none answers.
pg_schema() {
  [[ -n $pg_url ]] && command -v psql >/dev/null &&
    psql "$pg_url" -qc "DROP SCHEMA IF EXISTS $1 CASCADE; CREATE SCHEMA $1" 2>/dev/null &&
    pg_schema_url="$pg_url${pg_sep}options[search_path]=$1"
}

if want feed; then
  if command -v oha >/dev/null; then
    sizes=("$FEED_FINDINGS")
    [[ ${BENCH_FEED_MILLION:-} == 1 ]] && sizes+=(1000000)
    for count in "${sizes[@]}"; do
      budget=$BUDGET_SEARCH_P95_MS
      ((count >= 1000000)) && budget=$BUDGET_SEARCH_P95_MS_MILLION
      rm -f "$work/feed.db"*
      feed_rows SQLite "sqlite://$work/feed.db" "$count" "$budget"
      rm -f "$work/feed.db"*
      if pg_schema mosaic_bench_feed; then
        pg_settle() { psql "$pg_url" -qc "VACUUM ANALYZE mosaic_bench_feed.findings, mosaic_bench_feed.findings_search, mosaic_bench_feed.findings_words"; }
        feed_rows PostgreSQL "$pg_schema_url" "$count" "$budget" pg_settle
        psql "$pg_url" -qc "DROP SCHEMA mosaic_bench_feed CASCADE" || true
      else
        section="Feed on PostgreSQL"
        row "feed search" "not measured: no PostgreSQL answered (set MOSAIC_BENCH_POSTGRES_URL)"
      fi
    done
  else
    section="Feed"
    row "feed search" "not measured: needs oha for latency at a fixed rate"
  fi
fi

# ---- 5. Several server processes on one PostgreSQL, behind HAProxy --------------------------

# N servers on one fresh schema, HAProxy in front (round-robin, as tests/e2e/cluster.ts);
# reads and conditional updates per second through it with 1 and with 3 processes, and the
# delay from a commit on one process to the event on another. On this 2-core machine the
# processes share the cores with PostgreSQL, HAProxy and the load generator: the figures show
# the cost of the path (balancer, NOTIFY), not the gain of more machines.
# Starts HAProxy on a free port in front of the server URLs given, and sets $lb_url.
start_balancer() {
  local name=$1 port
  shift
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  {
    printf 'defaults\n  mode http\n  timeout connect 1s\n  timeout client 1h\n  timeout server 1h\n'
    printf '  option redispatch\n  retries 3\n  retry-on conn-failure\n'
    printf 'frontend mosaic\n  bind 127.0.0.1:%s\n  default_backend mosaic\n' "$port"
    printf 'backend mosaic\n  balance roundrobin\n  option httpchk GET /healthz\n'
    local i=0 u
    for u in "$@"; do
      i=$((i + 1))
      printf '  server s%s %s check inter 1s\n' "$i" "${u#http://}"
    done
  } >"$work/$name.cfg"
  haproxy -db -f "$work/$name.cfg" >"$work/$name.out" 2>&1 &
  server_pids+=($!)
  lb_url="http://127.0.0.1:$port"
  for ((i = 0; i < 100; i++)); do
    curl -fsS -o /dev/null "$lb_url/healthz" 2>/dev/null && return 0
    sleep 0.1
  done
  die "haproxy ($name) did not start: $(cat "$work/$name.out")"
}

if want cluster; then
  if ! command -v haproxy >/dev/null || ! command -v oha >/dev/null; then
    section="Several processes"
    row "balancer figures" "not measured: needs haproxy and oha (scripts/setup.sh --tests --bench)"
  elif ! pg_schema mosaic_bench_cluster; then
    section="Several processes"
    row "balancer figures" "not measured: no PostgreSQL answered (set MOSAIC_BENCH_POSTGRES_URL)"
  else
    say "Several server processes behind HAProxy (${LOAD_SECONDS} s per run)"
    cluster=()
    for n in 1 2 3; do
      start_server "cluster-$n" "$work/dist" "" "$pg_schema_url"
      cluster+=("$server_url")
    done
    start_balancer lb1 "${cluster[0]}"
    lb1=$lb_url
    start_balancer lb3 "${cluster[@]}"
    lb3=$lb_url
    section="Several processes on one PostgreSQL behind HAProxy (round-robin; ${LOAD_SECONDS} s per run, closed loop)"
    created=$(curl -fsS -H 'content-type: application/json' "$lb3/api/v1/reviews" -d '{
      "id": "bench-cluster-read", "title": "Replica lag during failover",
      "started_at": "2026-11-01T10:00:00Z", "severity": "sev2", "team": "Storage",
      "services": ["orders-db"] }')
    auth=(-H "Authorization: Bearer $(jq -r .facilitator_token <<<"$created")")
    note_compilers "cluster"
    read -r r1 _ r1_p99 bad1 <<<"$(load "$lb1/api/v1/reviews/bench-cluster-read" 0)"
    read -r r3 _ r3_p99 bad3 <<<"$(load "$lb3/api/v1/reviews/bench-cluster-read" 0)"
    ((bad1 + bad3 == 0)) || die "some reads through the balancer did not answer 200"
    row "read a review, 1 process: req/s (p99)" "$(fmt_rate "$r1")" "p99 $(fmt_ms "$r1_p99")"
    row "read a review, 3 processes: req/s (p99)" "$(fmt_rate "$r3")" "p99 $(fmt_ms "$r3_p99")"
    for n in 1 3; do
      lb=lb$n
      label="$n processes"
      [[ $n == 1 ]] && label="1 process"
      MOSAIC_URL=${!lb} BENCH_RATE=0 BENCH_SECONDS=$LOAD_SECONDS BENCH_LABEL=$label \
        node bench/load/conditional-update.mjs | rows_from
    done
    MOSAIC_COMMIT_URL=${cluster[0]} MOSAIC_LISTEN_URL=${cluster[1]} node bench/load/event-delay.mjs | rows_from
    note_compilers "cluster"
    psql "$pg_url" -qc "DROP SCHEMA mosaic_bench_cluster CASCADE" >/dev/null 2>&1 || true
  fi
fi

# ---- 6. Concurrency soak ---------------------------------------------------------------------

# The server test `concurrent_conditional_writes_lose_nothing` at its full size (the test command
# runs it at 25 rounds): writers doing read-modify-write on one review through the ops route,
# retrying on 412, then every write is checked to have landed once.
if want soak; then
  say "Concurrency soak ($SOAK_WRITERS writers x $SOAK_ROUNDS rounds on each database)"
  section="Concurrency soak: $SOAK_WRITERS writers x $SOAK_ROUNDS conditional writes each on one review, none lost (the server test, in process)"
  cargo test --quiet -p mosaic-server --test api --no-run # built before it is timed
  soak() { # database label, then the environment for the test
    local label=$1 t0 secs
    shift
    note_compilers "soak"
    t0=$(date +%s.%N)
    env "$@" MOSAIC_TEST_RACE_ROUNDS="$SOAK_ROUNDS" cargo test --quiet -p mosaic-server --test api \
      -- --exact "$label::concurrent_conditional_writes_lose_nothing" >"$work/soak-$label.out" 2>&1 ||
      die "the $label soak lost a write or failed: $(tail -20 "$work/soak-$label.out")"
    secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    row "$label: $(thousands $((SOAK_WRITERS * SOAK_ROUNDS))) writes" "$secs s" \
      "$(awk -v n=$((SOAK_WRITERS * SOAK_ROUNDS)) -v s="$secs" 'BEGIN { printf "%.0f writes/s", n / s }')"
  }
  soak sqlite
  if [[ -n $pg_url ]]; then
    soak postgres MOSAIC_TEST_POSTGRES_URL="$pg_url"
  else
    row "postgres" "not measured: no PostgreSQL answered (set MOSAIC_BENCH_POSTGRES_URL)"
  fi
fi

# ---- 7. Startup ------------------------------------------------------------------------------

if want startup; then
say "Startup"
[[ -n ${browser_url:-} ]] || { start_server browser "$work/dist"; browser_url=$server_url; }
section="Startup (median of $RUNS page loads, a fresh browser profile each; at least 7 server starts)"
start_server counter "$counter_dist"
counter_url=$server_url
note_compilers "startup"
MOSAIC_SERVER_BIN=$SERVER_BIN MOSAIC_DIST=$work/dist MOSAIC_URL=$browser_url COUNTER_URL=$counter_url BENCH_RUNS=$RUNS \
  node bench/browser/startup.mjs | rows_from
note_compilers "startup"
fi

# ---- The table -------------------------------------------------------------------------------

# printf pads by bytes; pad by characters so "×", "→" and "≤" keep the columns straight.
export LC_ALL=C.UTF-8
pad() { printf '%s%*s' "$1" $(($2 > ${#1} ? $2 - ${#1} : 0)) ''; }
print_row() {
  local line
  line="$(pad "$1" 50) $(pad "$2" 12) $(pad "$3" 36) $4"
  echo "${line%"${line##*[! ]}"}" # without trailing blanks
}
printed=""
while IFS=$'\t' read -r sec figure value floor budget; do
  if [[ $sec != "$printed" ]]; then
    printf '\n## %s\n' "$sec"
    print_row "figure" "value" "floor / comparison" "budget"
    printed=$sec
  fi
  print_row "$figure" "$value" "$floor" "$budget"
done <"$results"
echo
if $compiling_seen; then
  echo "WARNING: rustc was running during some measurements; run again on a quiet machine."
else
  echo "No compiler ran during the measurements."
fi
