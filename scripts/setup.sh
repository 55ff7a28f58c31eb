#!/usr/bin/env bash
# Installs what Mosaic needs to build and test, and only what is missing or at the wrong version.
# Usage: scripts/setup.sh [--tests] [--bench]
#   --tests adds Chromium, its driver, the browser-test deps, HAProxy and the PostgreSQL client;
#   --bench adds those too, plus the HTTP load generator the benchmarks use (oha).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

want_tests=false want_bench=false
for arg in "$@"; do
  case $arg in
    --tests) want_tests=true ;;
    --bench) want_tests=true want_bench=true ;;
    *) die "unknown option: $arg" ;;
  esac
done

SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
apt_updated=false
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  command -v apt-get >/dev/null || die "please install: ${missing[*]}"
  say "Installing ${missing[*]}"
  if ! $apt_updated; then $SUDO apt-get update -qq; apt_updated=true; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

command -v cargo >/dev/null || die "Rust is needed: install rustup from your package manager or rust-lang.org"

# 1. A Rust that can build wasm32.
debian_web_rust=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22)
if rustup_has_wasm || dpkg-query -W -f='${Status}' rust-web-src 2>/dev/null | grep -q "ok installed"; then
  :
elif timeout 30 rustup target add wasm32-unknown-unknown </dev/null >/dev/null 2>&1; then
  : # rustup's download host answered (it hangs where it is unreachable, hence the timeout)
else
  # Debian's browser Rust with its std source; std for wasm32 is then built from source.
  apt_install "${debian_web_rust[@]}"
fi

# std's source, so the release build can build std with the size levers (scripts/lib.sh); without
# it (rustup's host unreachable) the release build is only larger.
if rustup_has_wasm && ! rustup_has_std_source; then
  timeout 120 rustup component add rust-src </dev/null >/dev/null 2>&1 ||
    say "rustup could not add rust-src: the release wasm is built without the size levers"
fi

# 2. Build tools at pinned versions.
command -v brotli >/dev/null || apt_install brotli
command -v npm >/dev/null || apt_install nodejs npm
# Build tools are installed with a light release profile: their own fat-LTO, one-codegen-unit
# profiles cost most of a first run's time and buy nothing a build step would notice.
quick_install() {
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_INCREMENTAL=false \
    cargo install --quiet "$@"
}
if [[ $(trunk --version 2>/dev/null) != "trunk $TRUNK_VERSION" ]]; then
  say "Installing trunk $TRUNK_VERSION (a few minutes, once)"
  quick_install --locked "trunk@$TRUNK_VERSION"
fi
wbg=$(wasm_bindgen_version)
[[ -n $wbg ]] || die "Cargo.lock names no wasm-bindgen version"
if [[ $(wasm-bindgen --version 2>/dev/null) != "wasm-bindgen $wbg" ]]; then
  say "Installing wasm-bindgen-cli $wbg (a few minutes, once)"
  # --locked fails: the registry index lacks one version its lockfile pins.
  quick_install --force wasm-bindgen-cli --version "$wbg"
fi
# wasm-split-cli, with scripts/patches/wasm-split-merge-chunks.patch applied: it adds
# --merge-chunks-below, which folds the many small parts shared by a few pages into larger ones
# (scripts/build.sh). It is built from the crate's published source, so the patch's hash names
# the source directory, and cargo's list of installed crates says which one is there (the tool
# has no --version).
split_patch="$ROOT/scripts/patches/wasm-split-merge-chunks.patch"
split_src="$TOOLS_DIR/src/wasm_split_cli_support-$WASM_SPLIT_VERSION-$(sha256sum "$split_patch" | cut -c1-12)"
if ! cargo install --list | grep -qxF "wasm_split_cli_support v$WASM_SPLIT_VERSION ($split_src):"; then
  say "Installing wasm-split-cli $WASM_SPLIT_VERSION, patched (a few minutes, once)"
  command -v patch >/dev/null || apt_install patch
  fetch="$TOOLS_DIR/src/fetch-wasm-split"
  mkdir -p "$fetch/src"
  printf '[package]\nname = "fetch-wasm-split"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nwasm_split_cli_support = "=%s"\n' \
    "$WASM_SPLIT_VERSION" >"$fetch/Cargo.toml"
  : >"$fetch/src/lib.rs"
  cargo fetch --quiet --manifest-path "$fetch/Cargo.toml"
  crate=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"wasm_split_cli_support-$WASM_SPLIT_VERSION.crate" | head -1)
  rm -rf "$split_src" && mkdir -p "$split_src"
  tar -xzf "$crate" -C "$split_src" --strip-components=1
  patch --quiet -p1 -d "$split_src" <"$split_patch"
  quick_install --locked --force --path "$split_src" --features build-binary
fi
# npm's binaryen: Debian's is too old for current wasm-bindgen output (see ../shared/TOOLCHAIN.md).
if [[ $("$TOOLS_DIR/bin/wasm-opt" --version 2>/dev/null) != *"version ${BINARYEN_VERSION%%.*}"* ]]; then
  say "Installing wasm-opt (binaryen $BINARYEN_VERSION)"
  mkdir -p "$TOOLS_DIR/bin"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR" "binaryen@$BINARYEN_VERSION"
  ln -sf "$TOOLS_DIR/node_modules/.bin/wasm-opt" "$TOOLS_DIR/bin/wasm-opt"
fi
# npm's esbuild minifies the JavaScript wasm-bindgen and wasm-split-cli write (scripts/place-parts.mjs).
if [[ $(node -p "require('$TOOLS_DIR/node_modules/esbuild/package.json').version" 2>/dev/null) != "$ESBUILD_VERSION" ]]; then
  say "Installing esbuild $ESBUILD_VERSION"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR" --save-exact "esbuild@$ESBUILD_VERSION"
fi

# 3. Browser tests.
if $want_tests; then
  { command -v chromium && command -v chromedriver; } >/dev/null || apt_install chromium chromium-driver
  # The multi-process browser test (tests/e2e/scale.spec.ts): HAProxy in front of three servers,
  # and psql to make the test's own PostgreSQL database.
  command -v haproxy >/dev/null || apt_install haproxy
  command -v psql >/dev/null || apt_install postgresql-client
  e2e="$ROOT/tests/e2e"
  if [[ ! -f $e2e/node_modules/.package-lock.json ]] ||
    ! cmp -s "$e2e/package-lock.json" "$e2e/node_modules/.mosaic-lock"; then
    say "Installing the browser-test packages"
    (cd "$e2e" && npm ci --silent --no-audit --no-fund && cp package-lock.json node_modules/.mosaic-lock)
  fi
fi

# 4. Benchmarks: a load generator that holds a fixed request rate (for "p99 at N req/s").
if $want_bench; then command -v jq >/dev/null || apt_install jq; fi
if $want_bench && ! command -v oha >/dev/null; then
  say "Installing oha (a few minutes, once)"
  # Where the Rust crate registry's oha doesn't build, fall back to Debian's wrk (closed-loop; bench.sh says so).
  cargo install --quiet --locked oha || cargo install --quiet oha || apt_install wrk
fi
