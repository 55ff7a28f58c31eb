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
# The offline app shell (public/sw.js) learns this build's files and id: every file Trunk
# wrote, and a hash of them all, so a new build is a new service worker.
node - <<'JS'
const fs = require("fs"), path = require("path"), crypto = require("crypto");
const dist = "dist", files = [], hash = crypto.createHash("sha256");
for (const name of fs.readdirSync(dist).sort()) {
  if (name === "sw.js" || /\.(br|gz)$/.test(name) || !fs.statSync(path.join(dist, name)).isFile()) continue;
  files.push(`/${name}`);
  hash.update(name).update(fs.readFileSync(path.join(dist, name)));
}
const sw = path.join(dist, "sw.js");
const text = fs.readFileSync(sw, "utf8")
  .replace("__MOSAIC_BUILD__", hash.digest("hex").slice(0, 16))
  .replace("/*__MOSAIC_FILES__*/ []", JSON.stringify(files));
fs.writeFileSync(sw, text);
JS
# Precompress once at build time so the server never compresses per request.
find dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' \) |
  while read -r f; do
    brotli -f -q 11 -o "$f.br" "$f"
    gzip -f -9 -k "$f"
  done

say "Building the server ($profile profile)"
cargo build --quiet --profile "$profile" -p mosaic-server
