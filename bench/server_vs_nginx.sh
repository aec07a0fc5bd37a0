#!/usr/bin/env bash
# server_vs_nginx.sh: the escrow server (`lockbox serve`, SQLite store) under agent and
# helpdesk load, beside nginx answering a static JSON response over TLS on the same machine
# in the same run, both driven by the same load generator (build/bench/load_gen) with the
# same number of keep-alive connections.
#
#   bench/server_vs_nginx.sh [--keys N[,N...]] [--escrows N] [--seconds S] [--connections N]
#                            [--build DIR]
#
# --keys 10000 (the default) seeds 10,000 agents with one escrowed recovery password each;
# --keys 10000,1000000 measures at 10k, grows the same store to 1M and measures again, so the
# two p99s come from one run. Seeding goes through the API, as agents do: enroll (an
# enrollment token per 100,000 agents) and a first report per agent, --connections at a time,
# in chunks of 50,000 agents. To be fast it runs on a copy of the data dir in tmpfs
# (/dev/shm, where fsync costs nothing), with the same `lockbox serve`; the server is then
# stopped, the data dir moved to disk and the server started again there for the
# measurements, so every measured write is durable. The seeding rates are printed too.
#
# Phases, each --seconds long (default 5):
#   nginx        just before and just after the check-ins, the same check-in request bytes
#                POSTed to nginx, which answers a fixed JSON body (`return 200`); the ratio
#                is to the mean of the two. GET / on nginx from wrk and from load_gen shows
#                whether the load generator is the limit
#   healthz      lockbox's GET /healthz (TLS, HTTP and one store query: the server's floor)
#   check-in     agents sending the report they sent before (changes nothing), drawn at
#                random from all seeded agents, after one warm-up round in which each of
#                them checked in once (as in a server that has run for one report
#                interval); ratio to nginx's rate (target >= 0.5)
#   escrow       --escrows agents (default 10,000) enrolled during seeding sending their
#                first report: a new recovery password, durable before the answer
#                (target >= 2,000/s)
#   disclosure   a helpdesk API token recovering random keys by full key ID: a lookup and a
#                durable audit entry (target >= 1,000/s)
# Printed per phase: requests, rate, p50/p99/max latency, failed answers, the server's CPU
# time (user + system) per request, which a busy machine disturbs far less than the rate, and
# its anonymous RSS (RssAnon from /proc: without the store file it maps) after it; at the end
# its peak VmHWM (with the mapped file). The check-in's CPU per request is also given as a
# ratio to nginx's (its master and workers). The rates of the phases that write are also
# given per synchronous disk write (dd O_DSYNC in the data dir, measured before them): the
# physical limit of a server that commits each write on its own. Everything listens on
# 127.0.0.1 only; the data dir is on disk (not tmpfs, so fsync means what it says) and is
# removed at the end, as are nginx and the server.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build="$repo/build"
keys_list=10000
escrows=10000
seconds=5
connections=64
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keys) keys_list=$2; shift 2 ;;
    --escrows) escrows=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

lockbox="$build/lockbox"
load_gen="$build/bench/load_gen"
for f in "$lockbox" "$load_gen"; do
  [[ -x "$f" ]] || { echo "missing $f: scripts/build.sh (benchmarks are built by default)" >&2; exit 1; }
done
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x "$nginx" ]] || { echo "nginx is not installed: scripts/install-deps.sh" >&2; exit 1; }
IFS=, read -r -a sizes <<<"$keys_list"
prev=0
for k in "${sizes[@]}"; do
  [[ "$k" =~ ^[0-9]+$ ]] && (( k > prev )) || { echo "--keys: increasing counts, e.g. 10000,1000000" >&2; exit 2; }
  prev=$k
done

# $work (on disk) holds the files of the run and disk-data, the data dir measured; seeding
# uses $shm/data. $work/data is a symlink to the one in use (the config names that path).
work=$(mktemp -d /tmp/lockbox-server-bench.XXXXXX)
shm=""
if [[ "$(stat -f -c %T /dev/shm 2>/dev/null)" == tmpfs && -w /dev/shm ]]; then
  shm=$(mktemp -d /dev/shm/lockbox-server-bench.XXXXXX)
fi
server_pid=""
nginx_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [[ -n "$nginx_pid" ]]; then kill -TERM "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$work" ${shm:+"$shm"}
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

# die MESSAGE: stops the run, with the server's last warnings and errors (its log goes with
# the run's files).
die() {
  echo "server_vs_nginx: $*" >&2
  if [[ -s "$work/server.log" ]]; then
    grep -E '"level":"(warning|error|critical)"' "$work/server.log" | tail -n 5 |
      sed 's/^/  server: /' >&2 || true
  fi
  exit 1
}
# A free loopback port (for nginx, which cannot report the one it picked).
free_port() {
  local p
  for _ in $(seq 100); do
    p=$(( 20000 + RANDOM % 40000 ))
    [[ -z "$(ss -Hltn "sport = :$p")" ]] && { echo "$p"; return; }
  done
  die "no free port found"
}
# The server's own memory: anonymous pages (heap, stacks). Pages of the store file it maps
# (SQLite's mmap) are the kernel's page cache, shared and reclaimable, and are left out.
rss_mib() { awk '/^RssAnon/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
# CPU time (user + system, in clock ticks) used so far by the processes PIDS...
cpu_ticks() {
  local pid total=0
  for pid in "$@"; do
    total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}
clock_ticks=$(getconf CLK_TCK)
# nginx's RSS: its master and workers together.
nginx_rss_mib() { ps -o rss= -p "$nginx_pid" --ppid "$nginx_pid" | awk '{ s += $1 } END { printf "%.0f", s / 1024 }'; }
hwm_mib() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
json_field() { sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p"; }

# --- Request lines (the load generator's format: METHOD<tab>TARGET<tab>headers...<tab>BODY).
# Agent i is PC-i: its volume, key and TPM protector GUIDs and its recovery password are
# functions of i (the first 8 hex digits of the key GUID, the key ID people type, are a
# bijection of i, so never ambiguous). Passwords: 8 blocks of 11 * q, q < 65536.
gen_awk='
function guid(i, kind) {
  return sprintf("%08x-%04x-4%03x-%x%03x-%04x%08x", (i * 2654435761 + kind * 40503) % 4294967296,
                 i % 65536, int(i / 65536) % 4096, 8 + kind, kind, 48879, i)
}
function password(i,   s, j) {
  s = ""
  for (j = 1; j <= 8; j++) s = s (j > 1 ? "-" : "") sprintf("%06d", 11 * ((i * (2 * j + 40001) + j * 7919) % 65536))
  return s
}
function computer(i, id) {
  return "{" (id == "" ? "" : "\"id\":\"" id "\",") "\"name\":\"PC-" i "\",\"domain\":\"contoso.example\",\"os\":\"Windows 11 Pro\",\"hardware_ids\":[\"serial:BENCH-" i "\"]}"
}
BEGIN { OFS = "\t"; json = "Content-Type: application/json" }
mode == "enroll" {
  print "POST", "/api/v1/agent/enroll", json, "{\"enrollment_token\":\"" token "\",\"computer\":" computer($1, "") "}"
}
mode == "report" {
  i = $1; vol = guid(i, 2); key = guid(i, 1)
  print "POST", "/api/v1/agent/report", json, "Authorization: Bearer " $3, \
    "{\"computer\":" computer(i, $2) ",\"volumes\":[{\"id\":\"" vol "\",\"drive_letter\":\"C:\",\"type\":\"os\",\"description\":\"PC-" i " C: 2024-01-01\",\"encryption_method\":\"XTS-AES 128\",\"protection\":\"on\",\"conversion\":\"encrypted\",\"protectors\":[{\"id\":\"" key "\",\"type\":\"recovery_password\"},{\"id\":\"" guid(i, 3) "\",\"type\":\"tpm\"}]}],\"recovery_passwords\":[{\"key_id\":\"" key "\",\"volume_id\":\"" vol "\",\"password\":\"" password(i) "\",\"created_at\":\"2024-01-01T00:00:00Z\"}],\"users\":[\"contoso\\\\user-" i "\"]}"
}
mode == "disclose" {
  print "POST", "/api/v1/recovery/password", json, "Authorization: Bearer " token, \
    "{\"key_id\":\"" guid($1, 1) "\",\"reason\":\"Lost PIN\",\"end_user\":\"contoso\\\\user-" $1 "\"}"
}'
gen() { awk -v mode="$1" -v token="${2:-}" "$gen_awk"; }

# load LABEL PORT FILE ARGS...: runs the load generator, keeps its summary in $work/LABEL.out
# and sets r_requests, r_rate, r_p50_ms, r_p99_ms, r_max_ms, r_failed (transport errors
# included).
load() {
  local label=$1 target=$2 file=$3
  shift 3
  r_out="$work/$label.out"
  local pids=("$server_pid") cpu0
  [[ "$target" == "$nginx_port" ]] && mapfile -t pids < <(echo "$nginx_pid"; pgrep -P "$nginx_pid")
  cpu0=$(cpu_ticks "${pids[@]}")
  "$load_gen" --port "$target" --requests-file "$file" --connections "$connections" \
    --ca-file "$work/data/tls/cert.pem" "$@" >"$work/$label.out" 2>&1 ||
    { cat "$work/$label.out" >&2; die "load generator failed in phase $label"; }
  r_transport_errors=0
  eval "$(awk '/^requests=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); print "r_" kv[1] "=" kv[2] } }' "$work/$label.out")"
  r_failed=$(( r_failed + r_transport_errors ))
  r_cpu_us=$(awk -v t=$(( $(cpu_ticks "${pids[@]}") - cpu0 )) -v hz="$clock_ticks" -v n="$r_requests" \
    'BEGIN { if (n > 0) printf "%.0f", t / hz * 1e6 / n; else print "-" }')
}
row() {  # row WHAT RSS [NOTE]: one line of the results table from the last load
  printf '%-34s %9s %9s %8s %8s %8s %7s %7s %8s  %s\n' "$1" "$r_requests" "$r_rate" "$r_p50_ms" \
    "$r_p99_ms" "$r_max_ms" "$r_failed" "$r_cpu_us" "$2" "${3:-}"
  if (( r_failed > 0 )); then grep -E '^(status|transport error)' "$r_out" | sed 's/^/    ^ /'; fi
}
# The physical limit of durable writes: synchronous 4 KiB writes per second by one writer in
# the measured data dir (dd with O_DSYNC). A server that commits each write alone cannot be
# durable more often than this; group commit can.
# Batches of 50 for at least a second: the rate of a virtual disk varies a lot.
disk_syncs_per_s() {
  local n=0 t0 t1
  t0=$(date +%s%N)
  t1=$t0
  while (( t1 - t0 < 1000000000 )); do
    timeout 30 dd if=/dev/zero of="$work/disk-data/sync-probe" bs=4k count=50 oflag=dsync \
      conv=notrunc status=none
    n=$(( n + 50 ))
    t1=$(date +%s%N)
  done
  rm -f "$work/disk-data/sync-probe"
  awk -v n=$n -v ns=$(( t1 - t0 )) 'BEGIN { printf "%.0f", n / (ns / 1e9) }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'; }
meets() { awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b ? "met" : "NOT met") }'; }
# check_all_ok RESPONSES WHAT: every saved answer was a 2xx, else the first failure is shown.
check_all_ok() {
  awk -F'\t' -v what="$2" '$2 !~ /^2/ { print what " failed: HTTP " $2 " " substr($3, 1, 300) > "/dev/stderr"; bad = 1; exit }
    END { exit bad }' "$1" || die "$2 failed"
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); measured data dir on" \
  "$(df -P "$work" | awk 'NR==2 {print $1}') ($(stat -f -c %T "$work")); seeding in ${shm:-place (no tmpfs /dev/shm)}"

# use_data_dir disk|shm: moves the data dir there (the server must be stopped).
data_in=disk
use_data_dir() {
  [[ -z "$shm" || "$1" == "$data_in" ]] && return
  local from="$work/disk-data" to="$shm/data"
  [[ "$1" == disk ]] && { from="$shm/data"; to="$work/disk-data"; }
  rm -rf "$to"
  mv "$from" "$to"
  ln -sfn "$to" "$work/data"
  data_in=$1
}
# start_server / stop_server: `lockbox serve` on $work/data, on a port of its choosing (the
# "listening" log line says which); sets port and server_pid.
start_server() {
  local log="$work/server.log" before
  touch "$log"
  before=$(wc -l <"$log")
  "$lockbox" serve --data-dir "$work/data" --listen 127.0.0.1:0 >>"$log" 2>&1 &
  server_pid=$!
  port=""
  for _ in $(seq 100); do
    port=$(tail -n +"$(( before + 1 ))" "$log" | sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' | head -1)
    [[ -n "$port" ]] && return
    kill -0 "$server_pid" 2>/dev/null || { tail -n +"$(( before + 1 ))" "$log" >&2; die "lockbox serve exited"; }
    sleep 0.1
  done
  die "lockbox serve did not start listening within 10 s"
}
stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || die "lockbox serve did not stop cleanly"
  server_pid=""
}

# --- The server's data dir and credentials (offline commands, before the server runs).
mkdir -p "$work/disk-data"
ln -s "$work/disk-data" "$work/data"
"$lockbox" init --data-dir "$work/data" >/dev/null
total_agents=$(( sizes[${#sizes[@]} - 1] + escrows * ${#sizes[@]} ))
# One enrollment token allows at most 100,000 enrollments: a token per 100,000 agents, used in
# turn (enroll_agents counts the enrollments in `enrolled`).
token_uses=100000
enroll_tokens=()
for (( left = total_agents; left > 0; left -= token_uses )); do
  token=$("$lockbox" enrollment-token create --data-dir "$work/data" --description bench \
    --uses $(( left < token_uses ? left : token_uses )) --days 1 --json | json_field token)
  [[ -n "$token" ]] || die "could not create an enrollment token"
  enroll_tokens+=("$token")
done
enrolled=0
"$lockbox" user create --data-dir "$work/data" --name bench-helpdesk --role helpdesk --service-account >/dev/null
api_token=$("$lockbox" api-token create --data-dir "$work/data" --user bench-helpdesk --role helpdesk \
  --days 1 --description bench --json | json_field token)
[[ -n "$api_token" ]] || die "could not create the API token"

# --- nginx: same certificate, a fixed JSON answer shaped like a check-in's, every request
# logged like lockbox's.
nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes $(nproc);
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log $work/nginx/access.log;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $work/data/tls/cert.pem;
    ssl_certificate_key $work/data/tls/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {
      default_type application/json;
      return 200 '{"changed":false,"secrets":[{"key_id":"00009e37-0000-4000-9001-beef00000000","kind":"recovery_password","outcome":"unchanged"}],"conflicts":[],"verification_queued":[],"retired":[],"rotate":[],"next_report_in_seconds":5400,"tpm_owner_auth":null}';
    }
  }
}
EOF
"$nginx" -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' 2>>"$work/nginx/error.log" &
nginx_pid=$!
for _ in $(seq 100); do
  [[ -n "$(ss -Hltn "sport = :$nginx_port")" ]] && break
  kill -0 "$nginx_pid" 2>/dev/null || { cat "$work/nginx/error.log" >&2; die "nginx exited"; }
  sleep 0.1
done

echo "nginx $("$nginx" -v 2>&1 | sed 's/.*\///') on 127.0.0.1:$nginx_port; lockbox serve on the port it picks"
echo "load generator: $connections keep-alive TLS connections, $seconds s per phase"
echo

# enroll_agents FIRST COUNT OUT: enrolls agents FIRST..FIRST+COUNT-1, appends "i<tab>computer
# id<tab>credential" lines to OUT.
enroll_agents() {
  local first=$1 count=$2 out=$3 i=$1 n
  : >"$work/enroll.tsv"
  while (( i < first + count )); do
    n=$(( token_uses - enrolled % token_uses ))  # uses left on the current token
    (( n > first + count - i )) && n=$(( first + count - i ))
    seq "$i" $(( i + n - 1 )) | gen enroll "${enroll_tokens[enrolled / token_uses]}" >>"$work/enroll.tsv"
    i=$(( i + n ))
    enrolled=$(( enrolled + n ))
  done
  load enroll "$port" "$work/enroll.tsv" --once --seconds 3600 --save-responses "$work/enrolled.tsv"
  check_all_ok "$work/enrolled.tsv" enrollment
  awk -F'\t' -v first="$first" '
    function field(name,   v) {
      if (!match($3, "\"" name "\": *\"[^\"]*\"")) return ""
      v = substr($3, RSTART, RLENGTH); sub(/^"[^"]*": *"/, "", v); sub(/"$/, "", v); return v
    }
    { print first + $1 - 1 "\t" field("computer_id") "\t" field("credential") }' \
    "$work/enrolled.tsv" >>"$out"
  (( $(wc -l <"$work/enrolled.tsv") == count )) || die "only $(wc -l <"$work/enrolled.tsv") of $count enrollments answered"
}

# seed FROM TO: agents FROM..TO-1 enroll and escrow their first key, in chunks.
seed() {
  local from=$1 to=$2 chunk=50000 n start t0 enroll_s=0 report_s=0
  for (( start = from; start < to; start += chunk )); do
    n=$(( to - start < chunk ? to - start : chunk ))
    : >"$work/chunk.tsv"
    t0=$(date +%s%N)
    enroll_agents "$start" "$n" "$work/chunk.tsv"
    enroll_s=$(( enroll_s + $(date +%s%N) - t0 ))
    gen report <"$work/chunk.tsv" >"$work/report.tsv"
    t0=$(date +%s%N)
    load seed-report "$port" "$work/report.tsv" --once --seconds 3600 --save-responses "$work/reported.tsv"
    report_s=$(( report_s + $(date +%s%N) - t0 ))
    check_all_ok "$work/reported.tsv" "seeding report"
    cat "$work/chunk.tsv" >>"$work/agents.tsv"
  done
  awk -v n=$(( to - from )) -v e="$enroll_s" -v r="$report_s" -v where="${shm:+ (on tmpfs)}" 'BEGIN {
    printf "seeded %d more agents%s: enrollments %.0f/s, first reports %.0f/s (%.1f s in all)\n", n, where, n / (e / 1e9), n / (r / 1e9), (e + r) / 1e9 }'
}

# --- The runs.
: >"$work/agents.tsv"
: >"$work/disclosed.txt"
seeded=0
next_escrow_agent=100000000  # escrow-phase agents are numbered apart from the seeded ones
declare -A checkin_p99 checkin_rate
for keys in "${sizes[@]}"; do
  [[ -n "$server_pid" ]] && stop_server
  use_data_dir shm
  start_server
  seed "$seeded" "$keys"
  seeded=$keys
  : >"$work/escrow-agents.tsv"
  enroll_agents "$next_escrow_agent" "$escrows" "$work/escrow-agents.tsv"
  next_escrow_agent=$(( next_escrow_agent + escrows ))
  stop_server
  use_data_dir disk
  # The move left the whole store as dirty pages for the kernel to write back (3 GB at 1M
  # keys), which it would do during the measurements, beside the server; a store in use does
  # not have that behind it.
  sync -f "$work/disk-data/"
  start_server
  echo "store: $(du -sm "$work/data/" | cut -f1) MiB on disk; server restarted on it: RSS $(rss_mib "$server_pid") MiB"
  syncs=$(disk_syncs_per_s)
  echo "disk: $syncs synchronous 4 KiB writes/s (one writer, O_DSYNC): the durable-write limit without group commit"
  echo
  printf '%-34s %9s %9s %8s %8s %8s %7s %7s %8s  %s\n' "== $keys keys ==" requests "per s" "p50 ms" \
    "p99 ms" "max ms" failed "CPU us" "RSS MiB" "vs target"

  # Check-ins: random seeded agents that were never disclosed (those are told to rotate).
  sample=$(( keys < 50000 ? keys : 50000 ))
  # (FILENAME, not NR == FNR: the first file may be empty.)
  shuf -n $(( sample + 20000 )) -i 0-$(( keys - 1 )) >"$work/shuffled.txt"
  awk 'FILENAME == ARGV[1] { d[$1] = 1; next } !($1 in d)' "$work/disclosed.txt" \
    "$work/shuffled.txt" >"$work/picked.txt"
  head -n "$sample" "$work/picked.txt" >"$work/checkin-ids.txt"
  awk -F'\t' 'FILENAME == ARGV[1] { want[$1] = 1; next } $1 in want' "$work/checkin-ids.txt" \
    "$work/agents.tsv" | shuf | gen report >"$work/checkin.tsv"

  # A check-in must really change nothing: look at a few answers first.
  load probe "$port" "$work/checkin.tsv" --requests 20 --once --seconds 30 \
    --save-responses "$work/probe.tsv"
  check_all_ok "$work/probe.tsv" check-in
  if grep -Eq '"changed": *true' "$work/probe.tsv"; then
    die "a repeated report changed something: $(grep -Em1 '"changed": *true' "$work/probe.tsv")"
  fi
  # A server that has run for one report interval has seen every agent's report once
  # (the memo of report bodies is warm): so has this one before it is measured.
  load warm-up "$port" "$work/checkin.tsv" --once --seconds 3600
  (( r_failed == 0 )) || die "check-in warm-up: $r_failed failed answers"
  # nginx just before and just after, with the very same request bytes: the ratio is to the
  # mean of the two, so a change of machine load during the run shows as their difference.
  load nginx "$nginx_port" "$work/checkin.tsv" --seconds "$seconds"
  row "nginx before, same POSTs" "$(nginx_rss_mib)" "(peer: fixed JSON answer)"
  nginx_before=$r_rate
  nginx_cpu_before=$r_cpu_us
  load checkin "$port" "$work/checkin.tsv" --seconds "$seconds"
  checkin=("$r_requests" "$r_rate" "$r_p50_ms" "$r_p99_ms" "$r_max_ms" "$r_failed" "$r_cpu_us" "$(rss_mib "$server_pid")")
  checkin_out=$r_out
  load nginx "$nginx_port" "$work/checkin.tsv" --seconds "$seconds"
  row "nginx after, same POSTs" "$(nginx_rss_mib)"
  nginx_rate=$(awk -v a="$nginx_before" -v b="$r_rate" 'BEGIN { printf "%.1f", (a + b) / 2 }')
  nginx_cpu=$(awk -v a="$nginx_cpu_before" -v b="$r_cpu_us" 'BEGIN { printf "%.1f", (a + b) / 2 }')
  read -r r_requests r_rate r_p50_ms r_p99_ms r_max_ms r_failed r_cpu_us checkin_rss <<<"${checkin[*]}"
  r_out=$checkin_out
  checkin_p99[$keys]=$r_p99_ms
  checkin_rate[$keys]=$r_rate
  r=$(ratio "$r_rate" "$nginx_rate")
  row "lockbox check-in, unchanged" "$checkin_rss" \
    "$r of nginx (>= 0.50: $(meets "$r" 0.5)); CPU per request $(ratio "$r_cpu_us" "$nginx_cpu")x nginx's"
  if command -v wrk >/dev/null; then
    wrk_rate=$(wrk -t1 -c"$connections" -d"${seconds}s" "https://127.0.0.1:$nginx_port/" |
      awk '/^Requests\/sec/ {printf "%.1f", $2}')
    printf '%-34s %9s %9s  (generator check: load_gen GET below)\n' "nginx GET /, wrk" "-" "$wrk_rate"
    printf 'GET\t/\t\n' >"$work/get.tsv"
    load nginx-get "$nginx_port" "$work/get.tsv" --seconds "$seconds"
    row "nginx GET /, load_gen" "$(nginx_rss_mib)" "$(ratio "$r_rate" "$wrk_rate") of wrk"
  fi
  printf 'GET\t/healthz\t\n' >"$work/healthz.tsv"
  load healthz "$port" "$work/healthz.tsv" --seconds "$seconds"
  row "lockbox GET /healthz" "$(rss_mib "$server_pid")" "$(ratio "$r_rate" "$nginx_rate") of nginx"

  gen report <"$work/escrow-agents.tsv" >"$work/escrow.tsv"
  load escrow "$port" "$work/escrow.tsv" --once --seconds "$seconds"
  row "lockbox escrow of a new key" "$(rss_mib "$server_pid")" \
    ">= 2000/s: $(meets "$r_rate" 2000); $(ratio "$r_rate" "$syncs") per disk sync"

  disclosures=$(( sample < 20000 ? sample : 20000 ))
  tail -n +"$(( sample + 1 ))" "$work/picked.txt" | head -n "$disclosures" >"$work/disclose-ids.txt"
  (( $(wc -l <"$work/disclose-ids.txt") > 0 )) || head -n "$disclosures" "$work/picked.txt" >"$work/disclose-ids.txt"
  gen disclose "$api_token" <"$work/disclose-ids.txt" >"$work/disclose.tsv"
  load probe "$port" "$work/disclose.tsv" --requests 1 --once --seconds 30 --save-responses "$work/probe.tsv"
  check_all_ok "$work/probe.tsv" disclosure
  grep -Eq '"result": *"disclosed"' "$work/probe.tsv" || die "not disclosed: $(head -c 300 "$work/probe.tsv")"
  load disclose "$port" "$work/disclose.tsv" --once --seconds "$seconds"
  cat "$work/disclose-ids.txt" >>"$work/disclosed.txt"
  row "lockbox disclosure, audited" "$(rss_mib "$server_pid")" \
    ">= 1000/s: $(meets "$r_rate" 1000); $(ratio "$r_rate" "$syncs") per disk sync"
  echo
done

echo "server peak RSS (VmHWM, with the pages of the store file it maps): $(hwm_mib "$server_pid") MiB"
echo "TLS: nginx $(sed -n 's/^load_gen: [^,]*, [^,]*, //p' "$work/nginx.out");" \
  "lockbox $(sed -n 's/^load_gen: [^,]*, [^,]*, \([^,]*\),.*/\1/p' "$work/checkin.out")"
if (( ${#sizes[@]} > 1 )); then
  first=${sizes[0]} last=${sizes[${#sizes[@]} - 1]}
  echo "check-in p99 from $first to $last keys: ${checkin_p99[$first]} -> ${checkin_p99[$last]} ms" \
    "($(ratio "${checkin_p99[$last]}" "${checkin_p99[$first]}")x; target: flat); rate" \
    "${checkin_rate[$first]} -> ${checkin_rate[$last]}/s"
fi
echo "failed: answers other than 2xx plus transport errors; escrow and disclosure phases send each"
echo "line once, so they may end before $seconds s when the server is fast"
