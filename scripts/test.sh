#!/usr/bin/env bash
# Lockbox's whole test run, as CI does it:
#   1. install what is missing (scripts/install-deps.sh)
#   2. build with warnings as errors, cross-build the Windows agent and its MSI
#      (scripts/build-windows-agent.sh), and run every test (unit, real BitLocker volumes, CLI,
#      the portals in Chromium, the Windows agent under wine)
#   3. build again with AddressSanitizer + UndefinedBehaviorSanitizer and run the unit tests
#   4. build the libFuzzer targets with clang and run each briefly from its seed corpus
# Environment: LOCKBOX_FUZZ_SECONDS (default 30) per fuzzer; LOCKBOX_TESTDATA (default
# ../shared/testdata). Under CI (CI=true) the real test volumes are required.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)
fuzz_seconds=${LOCKBOX_FUZZ_SECONDS:-30}
testdata=${LOCKBOX_TESTDATA:-$root/../shared/testdata}

scripts/install-deps.sh

if [ ! -f "$testdata/bitlk-images.tar.xz" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "test: $testdata/bitlk-images.tar.xz is missing; CI must test the real volumes" >&2
    exit 1
  fi
  echo "test: note: $testdata/bitlk-images.tar.xz is missing; tests on real volumes will skip"
fi

# CTest runs each test case in a process of its own: extract the real volumes once for all.
images_dir=$(mktemp -d)
trap 'rm -rf "$images_dir"' EXIT
if [ -f "$testdata/bitlk-images.tar.xz" ]; then
  tar -xJf "$testdata/bitlk-images.tar.xz" -C "$images_dir"
  export LOCKBOX_TEST_IMAGES_DIR="$images_dir/bitlk-images"
fi

passed=0
failed=0
# run_ctest DIR [ctest args]: runs ctest and adds its counts to the totals.
run_ctest() {
  local dir=$1
  shift
  local log
  log=$(mktemp)
  local status=0
  (cd "$dir" && ctest --output-on-failure -j "$jobs" "$@") | tee "$log" || status=$?
  local total fails
  total=$(sed -n 's/.* tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -n 1)
  fails=$(sed -n 's/.*, \([0-9]*\) tests failed out of.*/\1/p' "$log" | tail -n 1)
  rm -f "$log"
  if [ -z "$total" ]; then
    echo "test: ctest in $dir reported no result" >&2
    failed=$((failed + 1))
    return 1
  fi
  passed=$((passed + total - fails))
  failed=$((failed + fails))
  return $status
}

echo "== build (warnings are errors) =="
cmake -S . -B build -G Ninja -DLOCKBOX_WERROR=ON -DLOCKBOX_TESTDATA="$testdata" >/dev/null
cmake --build build -j "$jobs"
echo "== the Windows agent (mingw-w64 cross-build, MSI) =="
# OpenSSL for mingw is built once per machine (about 3 minutes on 2 cores), then reused.
LOCKBOX_WINDOWS_DEPS=${LOCKBOX_WINDOWS_DEPS:-${XDG_CACHE_HOME:-$HOME/.cache}/lockbox/windows-deps} \
  scripts/build-windows-agent.sh build-win ||
  { echo "test: the Windows cross-build FAILED"; failed=$((failed + 1)); }
echo "== tests =="
run_ctest build || true

echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer =="
cmake -S . -B build-asan -G Ninja -DLOCKBOX_WERROR=ON -DLOCKBOX_SANITIZE=ON -DLOCKBOX_BENCH=OFF \
  -DLOCKBOX_TESTDATA="$testdata" >/dev/null
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  run_ctest build-asan -LE 'slow|browser' || true

echo "== fuzzers (${fuzz_seconds}s each) =="
CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DLOCKBOX_FUZZ=ON -DLOCKBOX_BENCH=OFF >/dev/null
fuzzers=()
for source in src/*/*_fuzz.cc; do fuzzers+=("$(basename "$source" .cc)"); done
cmake --build build-fuzz -j "$jobs" --target "${fuzzers[@]}"
for source in src/*/*_fuzz.cc; do
  name=$(basename "$source" .cc)
  part_dir=$(dirname "$source")
  corpus=$(mktemp -d)
  [ -d "$part_dir/fuzz_corpus/$name" ] && cp -r "$part_dir/fuzz_corpus/$name/." "$corpus/"
  mkdir -p fuzz-artifacts
  if "build-fuzz/$part_dir/$name" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="fuzz-artifacts/$name-" -print_final_stats=1 "$corpus" \
      >"fuzz-artifacts/$name.log" 2>&1; then
    echo "fuzz $name: ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' \
      "fuzz-artifacts/$name.log" | grep -o '[0-9]*$') runs)"
    passed=$((passed + 1))
  else
    echo "fuzz $name: FAILED (log and crashing input in fuzz-artifacts/)"
    tail -n 40 "fuzz-artifacts/$name.log"
    failed=$((failed + 1))
  fi
  rm -rf "$corpus"
done

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
