#!/usr/bin/env bash
# Sets up what is missing, builds Mosaic and runs it on 127.0.0.1 with the embedded SQLite
# database in .data/mosaic.db (the data directory). PORT (default 8080), MOSAIC_DATA_DIR and
# MOSAIC_DATABASE (a postgres:// URL, say) override.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh"
exec "$ROOT/target/server/mosaic-server" \
  --listen "127.0.0.1:${PORT:-8080}" \
  --data-dir "${MOSAIC_DATA_DIR:-$ROOT/.data}" \
  --dist "$ROOT/dist"
