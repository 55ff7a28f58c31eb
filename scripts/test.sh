#!/usr/bin/env bash
# Sets up what is missing and runs every test tier: formatting and lints, domain, server on
# SQLite and PostgreSQL, and the browser tests against the real server in headless Chromium.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/setup.sh" --tests
cd "$ROOT"
started=$SECONDS
# Every runner's output is also kept here, to count the tests run for the closing line.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
exec > >(tee "$log") 2>&1
# Each tier's heading says when it started, so a slow tier shows in the log.
tier() { say "$1 ($((SECONDS - started)) s in)"; }

tier "Formatting"
cargo fmt --all -- --check

tier "Lints (clippy, warnings denied)"
cargo clippy --quiet --workspace --all-targets -- -D warnings

tier "Domain and app unit tests (native)"
cargo test --quiet -p mosaic-domain -p mosaic

tier "Server tests"
# The concurrency test runs 16 writers x 25 rounds here; its full size (250 rounds, on each
# database) is a soak in scripts/bench.sh ("soak").
pg_url=$(postgres_test_url || true)
if [[ -n $pg_url ]]; then
  MOSAIC_TEST_POSTGRES_URL=$pg_url cargo test --quiet -p mosaic-server
  postgres_tier="run against $pg_url"
else
  cargo test --quiet -p mosaic-server
  postgres_tier="NOT RUN: no PostgreSQL answered (set MOSAIC_TEST_POSTGRES_URL to run it)"
fi

tier "Browser tests"
"$ROOT/scripts/build.sh" --server-profile dev
# scale.spec.ts runs three servers on a database of its own on this PostgreSQL server (the
# default URL when none answered: the test then fails and says so, rather than skip).
(cd tests/e2e && MOSAIC_TEST_POSTGRES_URL=${pg_url:-postgres://postgres@127.0.0.1:5432/test} \
  MOSAIC_SERVER_BIN="$ROOT/target/debug/mosaic-server" MOSAIC_DIST="$ROOT/dist" npx playwright test)

say "All tiers passed in $((SECONDS - started)) s"
echo "PostgreSQL tier: $postgres_tier"
passed=$(sed -E 's/\x1b\[[0-9;]*m//g' "$log" |
  grep -oE '(test result: ok\. [0-9]+ passed|^ *[0-9]+ passed \()' | grep -oE '[0-9]+' | awk '{ s += $1 } END { print s + 0 }')
echo "${passed:-0} passed, 0 failed"
