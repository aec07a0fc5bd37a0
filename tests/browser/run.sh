#!/usr/bin/env bash
# Runs the browser tests (CTest's `browser_portals`, label browser): node --test with
# playwright-core driving Debian's Chromium against the lockbox binary given as $1.
# Without Chromium, Node.js 20+ or the npm packages (scripts/install-deps.sh installs all
# three) the tests skip (exit 77), except under CI=true, where that is a failure.
set -euo pipefail
LOCKBOX_BINARY=$(realpath "${1:?usage: run.sh LOCKBOX_BINARY}")
export LOCKBOX_BINARY
cd "$(dirname "$0")"
chromium=${CHROMIUM:-/usr/bin/chromium}

missing=""
[ -x "$chromium" ] || missing="Chromium ($chromium; apt-get install chromium)"
if ! node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) ||
    [ "$node_major" -lt 20 ]; then
  missing="${missing:+$missing, }Node.js 20 or later"
fi
[ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ] ||
  missing="${missing:+$missing, }the npm packages (npm ci in tests/browser)"
if [ -n "$missing" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "browser tests: missing $missing; CI must run them (scripts/install-deps.sh)" >&2
    exit 1
  fi
  echo "browser tests: SKIPPED, missing $missing (scripts/install-deps.sh installs them)"
  exit 77
fi
exec node --test --test-reporter=spec portals.test.mjs
