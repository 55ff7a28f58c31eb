#!/usr/bin/env bash
# Builds the release app into dist/ (with precompressed copies) and the server binary.
# Usage: scripts/build.sh [--server-profile dev|server]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
profile=server
[[ ${1:-} == --server-profile ]] && profile=$2
cd "$ROOT"

say "Building the app (release wasm)"
with_wasm_env trunk build --release >/dev/null
# Precompress once at build time so the server never compresses per request.
find dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' \) |
  while read -r f; do
    brotli -f -q 11 -o "$f.br" "$f"
    gzip -f -9 -k "$f"
  done

say "Building the server ($profile profile)"
cargo build --quiet --profile "$profile" -p mosaic-server
