#!/usr/bin/env bash
# Builds the release app into dist/ (with precompressed copies) and the server binary.
# Usage: scripts/build.sh [--server-profile dev|server]
#   MOSAIC_WASM_NAMES=1  keeps the functions' names in the wasm (wasm-opt -g), for a browser
#                        profile that names them; a little larger, never for a release.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
profile=server
[[ ${1:-} == --server-profile ]] && profile=$2
cd "$ROOT"

say "Building the app (release wasm, split by page)"
# Trunk 0.21 cannot split the wasm (trunk-rs/trunk#1022), so the split is this script's own:
#   1. Trunk builds what is not Rust (CSS, icon, the service worker, the HTML) from a copy of
#      index.html without its Rust link;
#   2. cargo builds the app with its split points (feature `split`,
#      src/components/shared/split.rs), keeping the linker's relocations, which wasm-split-cli
#      needs to cut the wasm;
#   3. wasm-split-cli cuts it into the main part, one part per split point (each page, the
#      review's phases) and parts they share (small shared parts folded into larger ones),
#      and writes the JS that downloads a part when the app first needs it;
#   4. wasm-bindgen runs on the main part (keeping the exports the other parts import),
#      wasm-opt on every part;
#   5. each file gets a content hash in its name (the server caches them for a year), and
#      index.html the loader.
# `trunk serve` still builds the unsplit app straight from index.html, for development.
split="$ROOT/target/split"
rm -rf "$split"
mkdir -p "$split/parts"
sed -e '/<link data-trunk rel="rust"/d' -e 's#\(<link data-trunk [^>]*href="\)#\1../../#' index.html \
  >"$split/index.html"
with_wasm_env trunk build --release --dist "$ROOT/dist" "$split/index.html" >/dev/null
wasm_dir="$ROOT/target/web/wasm32-unknown-unknown/release"
with_release_wasm_env cargo rustc --quiet --release --target wasm32-unknown-unknown --bin mosaic \
  --features split -- -C link-args=--emit-relocs
# Code shared by a few split points would otherwise be a part per set of them (a page loaded
# 122 wasm files, 44 of them under 1 KB); parts with less than 1.5 KB of code are folded into a
# part loaded by more of them, or into the main part (the patch in scripts/patches). Which size
# is best moves with the code: measured again on 2026-12-04 over 0 to 4 KB with the pages
# bench/browser/download.mjs measures, 1.5 KB was best for every page but `/feed` (within
# 0.6 KB). ARCHITECTURE.md ("Downloading the app") has the figures.
# MOSAIC_MERGE_BELOW sets another size, to measure it.
wasm-split-cli --merge-chunks-below "${MOSAIC_MERGE_BELOW:-1500}" "$wasm_dir/mosaic.wasm" "$split/parts" --out-name mosaic
wasm-bindgen --target web --keep-lld-exports --no-demangle --no-typescript \
  --out-dir "$split/parts" --out-name mosaic "$split/parts/mosaic.wasm"
rm "$split/parts/mosaic.wasm"
# wasm-opt -Oz on every part, through binaryen's library in one worker per core
# (scripts/optimise-parts.mjs: npm's wasm-opt command spends about a second starting per part,
# and ran five times slower on this build's parts; the output is byte for byte the same).
# (binaryen 132 does not know one subsection of the name section the split keeps: it says so
# once per part, and drops it with the rest of the names.)
names=()
[[ -n ${MOSAIC_WASM_NAMES:-} ]] && names=(--names)
node "$ROOT/scripts/optimise-parts.mjs" "$TOOLS_DIR/node_modules/binaryen/index.js" "$split/parts" \
  "${names[@]}" 2> >(grep -v '^warning: unknown name subsection' >&2)
node "$ROOT/scripts/place-parts.mjs" "$split/parts" "$ROOT/dist" "$TOOLS_DIR/node_modules/esbuild" >/dev/null

# The offline app shell (public/sw.js) learns this build's files and id: every file Trunk
# wrote, and a hash of them all, so a new build is a new service worker.
node - <<'JS'
const fs = require("fs"), path = require("path"), crypto = require("crypto");
const dist = "dist", files = [], hash = crypto.createHash("sha256");
for (const name of fs.readdirSync(dist).sort()) {
  // A pack holds files listed here already (scripts/place-parts.mjs): only a first visit uses one.
  if (name === "sw.js" || /\.(br|gz|pack)$/.test(name) || !fs.statSync(path.join(dist, name)).isFile()) continue;
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
# As many at once as there are cores: the packs are megabytes, and brotli -q 11 takes seconds each.
find dist -type f \( -name '*.wasm' -o -name '*.pack' -o -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' \) -print0 |
  xargs -0 -n 1 -P "$(nproc)" bash -c 'brotli -f -q 11 -o "$1.br" "$1" && gzip -f -9 -k "$1"' _

say "Building the server ($profile profile)"
cargo build --quiet --profile "$profile" -p mosaic-server
