#!/usr/bin/env bash
# Sets up what is missing and runs every test tier: formatting and lints, domain, server on
# SQLite and PostgreSQL, and the browser tests against the real server in headless Chromium.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/setup.sh" --tests
cd "$ROOT"
started=$SECONDS

say "Formatting"
cargo fmt --all -- --check

say "Lints (clippy, warnings denied)"
cargo clippy --quiet --workspace --all-targets -- -D warnings

say "Domain tests"
cargo test --quiet -p mosaic-domain

say "Server tests"
pg_url=$(postgres_test_url || true)
if [[ -n $pg_url ]]; then
  MOSAIC_TEST_POSTGRES_URL=$pg_url cargo test --quiet -p mosaic-server
  postgres_tier="run against $pg_url"
else
  cargo test --quiet -p mosaic-server
  postgres_tier="NOT RUN: no PostgreSQL answered (set MOSAIC_TEST_POSTGRES_URL to run it)"
fi

say "Browser tests"
"$ROOT/scripts/build.sh" --server-profile dev
(cd tests/e2e && MOSAIC_SERVER_BIN="$ROOT/target/debug/mosaic-server" MOSAIC_DIST="$ROOT/dist" npx playwright test)

say "All tiers passed in $((SECONDS - started)) s"
echo "PostgreSQL tier: $postgres_tier"
