# Shared by Mosaic's scripts: tool versions, paths, and the environment for the wasm build.
# Sourced, not run.

# Tool versions are pinned here and nowhere else.
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
ESBUILD_VERSION=0.24.2
# wasm-split-cli (the Rust crate wasm_split_cli_support) cuts the release wasm into parts;
# 0.2.3 or later understands what wasm-bindgen 0.2.130 and wasm_split_helpers 0.2.3 emit.
WASM_SPLIT_VERSION=0.2.4

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Tools that are not cargo-installed live outside the clone, so a fresh clone reuses them.
TOOLS_DIR=${MOSAIC_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mosaic-tools}
export PATH="$HOME/.cargo/bin:$TOOLS_DIR/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The wasm-bindgen version the lockfile pins; the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

# True when rustup's own toolchain can build wasm32 (an ordinary developer laptop).
rustup_has_wasm() {
  command -v rustup >/dev/null 2>&1 &&
    rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown
}

# Runs "$@" with the environment that builds the app for wasm32. Without rustup's wasm32 target,
# Debian's browser Rust (rustc-web) builds std from source: see ../shared/TOOLCHAIN.md.
# `erase_components` makes every Leptos component return a type-erased view: about 13 % less
# wasm (brotli) and faster builds, with the same behaviour.
with_wasm_env() {
  local flags="${RUSTFLAGS:+$RUSTFLAGS }--cfg erase_components"
  if rustup_has_wasm; then
    RUSTFLAGS="$flags" CARGO_TARGET_DIR="$ROOT/target/web" "$@"
  else
    PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
      RUSTFLAGS="$flags" CARGO_TARGET_DIR="$ROOT/target/web" "$@"
  fi
}

# The release wasm's size levers. They need std built from source (its prebuilt copy cannot take
# them): a panic aborts at once (no message, no unwinding machinery), no file and line
# locations, no `Debug` formatting (`{:?}` prints nothing there, so a message a person reads
# uses `Display`), and std's size-optimised variants. Each lever's saving is in ARCHITECTURE.md
# ("Downloading the app"). MOSAIC_WASM_LEVERS and MOSAIC_WASM_STD_FEATURES override them
# (empty: none), to measure one against the others.
WASM_LEVERS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none"
WASM_STD_FEATURES="optimize_for_size"

# True when rustup's toolchain has std's source (the rust-src component), so std can be built.
rustup_has_std_source() {
  [[ -d "$(rustc --print sysroot 2>/dev/null)/lib/rustlib/src/rust/library/std" ]]
}

# Runs "$@" like with_wasm_env, for the release build: with std built from source and the size
# levers wherever std's source is there (always on the Debian path; with rustup, once setup.sh
# added rust-src). `-Z` flags on a stable toolchain need RUSTC_BOOTSTRAP=1, as the Debian path
# already does.
with_release_wasm_env() {
  local levers=${MOSAIC_WASM_LEVERS-$WASM_LEVERS}
  local features=${MOSAIC_WASM_STD_FEATURES-$WASM_STD_FEATURES}
  if rustup_has_wasm && ! rustup_has_std_source; then
    with_wasm_env "$@"
  else
    RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
      CARGO_UNSTABLE_BUILD_STD_FEATURES=$features RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }$levers" \
      with_wasm_env "$@"
  fi
}

# A PostgreSQL URL for the tests, or nothing when no server answers.
postgres_test_url() {
  local url=${MOSAIC_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -d "$url" && echo "$url"
  elif (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    echo "$url"
  fi
}
