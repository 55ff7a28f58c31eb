#!/usr/bin/env bash
# Mosaic's benchmarks: prints figures beside their floors and budgets. Not part of the tests.
# Usage: scripts/bench.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/setup.sh"
cd "$ROOT"

say "Building the app and the counter floor (release, wasm-opt -Oz)"
"$ROOT/scripts/build.sh" >/dev/null
(cd bench/counter && with_wasm_env trunk build --release --dist "$ROOT/target/bench/counter" >/dev/null)

# raw, gzip -9 and brotli -11 bytes of the files in a dist dir matching a pattern
sizes() {
  local dir=$1 pattern=$2 raw=0 gz=0 br=0 f
  for f in $(find "$dir" -maxdepth 1 -type f -name "$pattern" ! -name '*.gz' ! -name '*.br'); do
    raw=$((raw + $(wc -c <"$f")))
    gz=$((gz + $(gzip -9 -c "$f" | wc -c)))
    br=$((br + $(brotli -q 11 -c "$f" | wc -c)))
  done
  echo "$raw $gz $br"
}
kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }

echo
echo "## Download (release build after wasm-opt; KB = 1024 bytes)"
printf '%-10s %12s %12s %12s   %s\n' "asset" "raw" "gzip" "brotli" "floor: Leptos counter (brotli)"
total_br=0
for kind in wasm js css; do
  read -r raw gz br <<<"$(sizes dist "*.$kind")"
  read -r _ _ fbr <<<"$(sizes target/bench/counter "*.$kind")"
  total_br=$((total_br + br))
  printf '%-10s %12s %12s %12s   %s\n' "$kind" "$(kb "$raw")" "$(kb "$gz")" "$(kb "$br")" "$(kb "$fbr")"
done
read -r _ _ html_br <<<"$(sizes dist "index.html")"
total_br=$((total_br + html_br))
budget=$((250 * 1024))
verdict=$([[ $total_br -le $budget ]] && echo "met" || echo "NOT met")
echo "first load, brotli total (wasm + js + css + html): $(kb "$total_br") — budget 250 KB: $verdict"
