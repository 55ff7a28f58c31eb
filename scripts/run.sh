#!/usr/bin/env bash
# Sets up what is missing, builds Mosaic and runs it on 127.0.0.1 with the embedded SQLite
# database in .data/mosaic.db. PORT (default 8080) and MOSAIC_DATABASE override.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh"
mkdir -p "$ROOT/.data"
exec "$ROOT/target/server/mosaic-server" \
  --listen "127.0.0.1:${PORT:-8080}" \
  --database "${MOSAIC_DATABASE:-sqlite://$ROOT/.data/mosaic.db}" \
  --dist "$ROOT/dist"
