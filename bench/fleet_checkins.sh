#!/usr/bin/env bash
# fleet_checkins.sh: a fleet of simulated machines (`lockbox agent-sim`, the real agent core
# with the simulated provider) enrolling with and then checking in to one `lockbox serve`,
# with the server's CPU time per check-in beside its CPU time per GET /healthz (TLS, HTTP and
# one store query: the server's floor) measured in the same run.
#
#   bench/fleet_checkins.sh [--machines N] [--rounds N] [--threads N] [--healthz-seconds S]
#                           [--build DIR]
#
# --machines 100000 (the default) machines enroll and send their first report (one round:
# each escrows its recovery passwords, durable before the answer); then --rounds (default 2)
# rounds in which every machine checks in again with nothing changed. --threads (default 64)
# simulator threads, each with one keep-alive TLS connection, run the machines unpaced (the
# simulator's --rate at its maximum). Printed per phase: check-ins, rate, p50/p99 of one
# machine's cycle as the simulator times it (reading its state, the report, the answer), the
# server's CPU time (user + system from /proc/PID/stat, before and after) per check-in, the
# simulator's CPU time per check-in, and the server's RSS after it. Then GET /healthz from
# build/bench/load_gen with as many connections, and the ratio of the check-in's server CPU
# to it.
#
# The server's data dir is on disk under /tmp (not tmpfs, so every commit is durable); the
# simulated machines and their agents' state (some 5 files per machine) are in /dev/shm when
# it is a tmpfs: they stand for 100k separate disks, whose fsyncs are not the server's.
# Everything listens on 127.0.0.1 and is removed at the end.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build="$repo/build"
machines=100000
rounds=2
threads=64
healthz_seconds=10
while [[ $# -gt 0 ]]; do
  case "$1" in
    --machines) machines=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --healthz-seconds) healthz_seconds=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
die() { echo "fleet_checkins: $*" >&2; exit 1; }
lockbox="$build/lockbox"
load_gen="$build/bench/load_gen"
for f in "$lockbox" "$load_gen"; do
  [[ -x "$f" ]] || die "missing $f: scripts/build.sh (benchmarks are built by default)"
done

work=$(mktemp -d /tmp/lockbox-fleet-bench.XXXXXX)
if [[ "$(stat -f -c %T /dev/shm 2>/dev/null)" == tmpfs && -w /dev/shm ]]; then
  fleet=$(mktemp -d /dev/shm/lockbox-fleet.XXXXXX)
else
  fleet="$work/fleet"
fi
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work" "$fleet"
}
trap cleanup EXIT

clock_ticks=$(getconf CLK_TCK)
# CPU time (user + system, clock ticks) of a running process, and of this shell's children
# that have ended (the simulator's, once waited for).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
children_ticks() { awk '{ print $16 + $17 }' /proc/$$/stat; }
rss_mib() { awk '/^RssAnon/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
us_per() { awk -v t="$1" -v n="$2" -v hz="$clock_ticks" 'BEGIN { printf "%.0f", t / hz * 1e6 / n }'; }

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); data dir on" \
  "$(df -P "$work" | awk 'NR==2 {print $1}') ($(stat -f -c %T "$work")); machines in" \
  "$fleet ($(stat -f -c %T "$fleet"))"

"$lockbox" init --data-dir "$work/data" >/dev/null
"$lockbox" enrollment-token create --data-dir "$work/data" --description fleet-bench \
  --uses "$machines" --days 1 --json |
  sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' >"$work/enrollment-token"
chmod 600 "$work/enrollment-token"
[[ -s "$work/enrollment-token" ]] || die "could not create the enrollment token"

"$lockbox" serve --data-dir "$work/data" --listen 127.0.0.1:0 >"$work/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$work/server.log" | head -1)
  [[ -n "$port" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; die "lockbox serve exited"; }
  sleep 0.1
done
[[ -n "$port" ]] || die "lockbox serve did not start listening within 10 s"
echo "lockbox serve on 127.0.0.1:$port; $machines machines, $threads simulator threads" \
  "(one keep-alive connection each)"
echo
printf '%-30s %9s %9s %8s %8s %12s %12s %8s\n' phase check-ins "per s" "p50 ms" "p99 ms" \
  "server CPU us" "sim CPU us" "RSS MiB"

# sim LABEL CYCLES: runs the fleet CYCLES times; sets s_checkins, s_rate and s_server_us.
sim() {
  local label=$1 cycles=$2 cpu0 sim0 done_line p50 p99
  cpu0=$(cpu_ticks "$server_pid")
  sim0=$(children_ticks)
  "$lockbox" agent-sim --server "https://127.0.0.1:$port" --ca "$work/data/tls/cert.pem" \
    --enrollment-token-file "$work/enrollment-token" --machines "$machines" --cycles "$cycles" \
    --rate 100000 --threads "$threads" --dir "$fleet" >"$work/$label.out" 2>&1 ||
    { tail -20 "$work/$label.out" >&2; die "agent-sim failed in phase $label"; }
  s_server_us=$(us_per $(( $(cpu_ticks "$server_pid") - cpu0 )) $(( machines * cycles )))
  done_line=$(grep '^done: ' "$work/$label.out") || die "no summary from agent-sim: $(tail -3 "$work/$label.out")"
  # done: N check-ins (R reports, F failed) in S s: X check-ins/s, p50 A ms, p99 B ms per check-in
  read -r s_checkins s_rate p50 p99 < <(sed -E \
    's/^done: ([0-9]+) check-ins .* s: ([0-9.]+) check-ins\/s, p50 ([0-9.]+) ms, p99 ([0-9.]+) ms.*/\1 \2 \3 \4/' <<<"$done_line")
  printf '%-30s %9s %9.0f %8s %8s %12s %12s %8s\n' "$label" "$s_checkins" "$s_rate" "$p50" "$p99" \
    "$s_server_us" "$(us_per $(( $(children_ticks) - sim0 )) "$s_checkins")" "$(rss_mib "$server_pid")"
}

sim "enroll + first report" 1
sim "check-in, unchanged x$rounds" "$rounds"
checkin_us=$s_server_us

printf 'GET\t/healthz\t\n' >"$work/healthz.tsv"
cpu0=$(cpu_ticks "$server_pid")
"$load_gen" --port "$port" --requests-file "$work/healthz.tsv" --connections "$threads" \
  --ca-file "$work/data/tls/cert.pem" --seconds "$healthz_seconds" >"$work/healthz.out" 2>&1 ||
  { cat "$work/healthz.out" >&2; die "load generator failed on /healthz"; }
eval "$(awk '/^requests=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); print "h_" kv[1] "=" kv[2] } }' "$work/healthz.out")"
(( h_failed == 0 && h_requests > 0 )) || die "GET /healthz: $h_failed of $h_requests failed"
healthz_us=$(us_per $(( $(cpu_ticks "$server_pid") - cpu0 )) "$h_requests")
printf '%-30s %9s %9.0f %8s %8s %12s %12s %8s\n' "GET /healthz (load_gen)" "$h_requests" "$h_rate" \
  "$h_p50_ms" "$h_p99_ms" "$healthz_us" - "$(rss_mib "$server_pid")"
echo
echo "server CPU per unchanged check-in: $(awk -v a="$checkin_us" -v b="$healthz_us" \
  'BEGIN { printf "%.2f", a / b }')x its CPU per GET /healthz (same server, same run)"
echo "store: $(du -sm "$work/data" | cut -f1) MiB on disk; server peak RSS (VmHWM):" \
  "$(awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$server_pid/status") MiB"
echo "p50/p99: one machine's whole cycle in the simulator, which shares the cores with the server"
