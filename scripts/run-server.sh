#!/usr/bin/env bash
# Runs the Lockbox server on a data dir, setting it up first when it has no config yet:
#   scripts/run-server.sh [DIR]       (default DIR: ./data; build first with scripts/build.sh)
# Extra arguments after DIR go to `lockbox serve` (e.g. --listen 0.0.0.0:8443).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-./data}
shift || true
if [ ! -f "$dir/lockbox.toml" ]; then
  build/lockbox init --data-dir "$dir"
fi
exec build/lockbox serve --data-dir "$dir" "$@"
