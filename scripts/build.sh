#!/usr/bin/env bash
# Configures and builds Lockbox into build/ (the `lockbox` binary is build/lockbox).
# Extra arguments go to cmake's configure step, e.g. -DLOCKBOX_WERROR=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja "$@" >/dev/null
cmake --build build
