#!/usr/bin/env bash
# bde_vs_peers.sh: lockbox against dislocker (and cryptsetup for unlocking) on the same
# volumes in the same run, so machine load affects both alike.
#
#   bench/bde_vs_peers.sh [--size-mib N] [--runs N] [--threads N] [--build DIR]
#
# 1. Unlock time on a real Windows-made volume (bitlk-aes-xts-128 from the test images):
#    `lockbox bde verify` vs `cryptsetup open --test-passphrase` vs dislocker-fuse (time until
#    mounted), with the recovery password and with the user password (each one key stretch of
#    2^20 SHA-256 rounds).
# 2. Decrypt throughput on synthetic volumes of --size-mib (default 1024) built by
#    make_bde_image (the real test volumes are only 100 MiB and sparse, too small for a stable
#    figure), for XTS-128, CBC-128 and CBC-128 + Elephant:
#      lockbox -> /dev/null, lockbox -> file, dislocker-file -> file (it refuses /dev/null),
#    files in the same folder (tmpfs /dev/shm when it has room). Whole-command times include
#    the unlock; "decrypt only" subtracts each tool's unlock time measured in step 1.
#    The outputs of lockbox and dislocker are compared byte for byte.
# Prints medians of --runs runs (default 3) and the lockbox/dislocker ratios with the targets
# (10x on XTS and CBC, 20x on Elephant).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build="$repo/build"
size_mib=1024
runs=3
threads=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size-mib) size_mib=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

lockbox="$build/lockbox"
make_image="$build/tests/cli/make_bde_image"
testdata="${LOCKBOX_TESTDATA:-$repo/../shared/testdata}"
for f in "$lockbox" "$make_image"; do
  [[ -x "$f" ]] || { echo "missing $f: ninja -C $build lockbox make_bde_image" >&2; exit 1; }
done
command -v dislocker-file >/dev/null || { echo "dislocker-file is not installed" >&2; exit 1; }
have_cryptsetup=$(command -v cryptsetup >/dev/null && echo 1 || echo 0)
have_fuse=$([[ -w /dev/fuse ]] && command -v dislocker-fuse >/dev/null && echo 1 || echo 0)
thread_args=()
[[ -n "$threads" ]] && thread_args=(--threads "$threads")

# Work folder: tmpfs when it holds three volumes (image, two outputs) plus slack.
need_kib=$(( (size_mib * 3 + 256) * 1024 ))
if [[ -d /dev/shm ]] && (( $(df -Pk /dev/shm | awk 'NR==2 {print $4}') > need_kib )); then
  work=$(mktemp -d /dev/shm/lockbox-bench.XXXXXX)
else
  work=$(mktemp -d)
fi
cleanup() {
  if [[ -d "$work/mnt" ]] && mountpoint -q "$work/mnt"; then fusermount -u "$work/mnt" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# median_seconds CMD...: runs CMD $runs times (output discarded), prints the median wall time.
# $prepare, when set, is run untimed before each run (e.g. removing the previous output, whose
# freeing would otherwise be timed).
median_seconds() {
  local times=() start end
  for ((i = 0; i < runs; i++)); do
    if [[ -n "${prepare:-}" ]]; then eval "$prepare"; fi
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; return 1; }
    end=$(date +%s%N)
    times+=("$(( end - start ))")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) {printf "%.3f", $1 / 1e9}'
}

# dislocker has no unlock-only mode: time until dislocker-fuse has mounted, then unmount.
dislocker_unlock() {
  mkdir -p "$work/mnt"
  dislocker-fuse -V "$1" "$2" -- "$work/mnt"
  fusermount -u "$work/mnt"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }
rate() { awk -v bytes="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", bytes / s / 1e6; else print "-" }'; }

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); work folder $work"
echo "lockbox: $lockbox; dislocker: $(dislocker-file -h 2>&1 | head -1 | sed 's/.*\(v[0-9.]*\).*/\1/')"
echo

# ---- 1. unlock ---------------------------------------------------------------------------
[[ -f "$testdata/bitlk-images.tar.xz" ]] || { echo "no $testdata/bitlk-images.tar.xz" >&2; exit 1; }
tar -xJf "$testdata/bitlk-images.tar.xz" -C "$work"
images="$work/bitlk-images"
conf_get() { awk -v sec="[$1]" -v key="$2" '$0 == sec {s = 1; next} /^\[/ {s = 0} s && index($0, key "=") == 1 {print substr($0, length(key) + 2)}' "$images/images.conf"; }
real_image="$images/bitlk-aes-xts-128.img"
real_rp=$(conf_get bitlk-aes-xts-128 RP)
real_pw=$(conf_get bitlk-aes-xts-128 PW)
printf '%s\n' "$real_rp" > "$work/rp.txt"
printf '%s\n' "$real_pw" > "$work/pw.txt"
printf '%s' "$real_rp" > "$work/rp-nonl.txt"
printf '%s' "$real_pw" > "$work/pw-nonl.txt"

echo "== unlock time, bitlk-aes-xts-128 (median of $runs, seconds) =="
printf '%-18s %9s %11s %10s %18s\n' key lockbox cryptsetup dislocker "dislocker/lockbox"
dislocker_unlock_rp=""
for kind in recovery-password password; do
  if [[ $kind == recovery-password ]]; then
    lb_args=(--recovery-password-file "$work/rp.txt"); cs_file="$work/rp-nonl.txt"; dl_arg="-p$real_rp"
  else
    lb_args=(--password-file "$work/pw.txt"); cs_file="$work/pw-nonl.txt"; dl_arg="-u$real_pw"
  fi
  lb=$(median_seconds "$lockbox" bde verify "$real_image" "${lb_args[@]}")
  cs="-"
  if (( have_cryptsetup )); then
    cs=$(median_seconds cryptsetup open --test-passphrase --type bitlk --key-file "$cs_file" "$real_image" || echo "-")
  fi
  dl="-"
  if (( have_fuse )); then dl=$(median_seconds dislocker_unlock "$real_image" "$dl_arg" || echo "-"); fi
  [[ $kind == recovery-password ]] && dislocker_unlock_rp=$dl && lockbox_unlock_rp=$lb
  printf '%-18s %9s %11s %10s %18s\n' "$kind" "$lb" "$cs" "$dl" "$(ratio "$dl" "$lb")"
done
echo

# ---- 2. decrypt throughput ---------------------------------------------------------------
bench_rp="$real_rp"
size_bytes=$(( size_mib * 1024 * 1024 ))
echo "== decrypt throughput, ${size_mib} MiB synthetic volumes (median of $runs, MB/s) =="
printf '%-13s %14s %14s %14s %16s %12s %14s %9s\n' cipher "lb->null" "lb->null copy" "lb->file" \
  "dislocker->file" "ratio whole" "ratio decrypt" target
for cipher in xts-128 cbc-128 elephant-128; do
  image="$work/$cipher.img"
  "$make_image" "$image" "$size_mib" "$cipher" "$bench_rp"
  # Whole command to /dev/null, and the copy alone as lockbox reports it (--json "seconds").
  lb_null=$(median_seconds "$lockbox" bde decrypt "$image" --recovery-password-file "$work/rp.txt" \
    -o /dev/null "${thread_args[@]}")
  copies=()
  for ((i = 0; i < runs; i++)); do
    copies+=("$("$lockbox" bde decrypt "$image" --recovery-password-file "$work/rp.txt" -o /dev/null \
      "${thread_args[@]}" --json | awk -F': ' '/"seconds"/ {gsub(",", "", $2); print $2}')")
  done
  lb_copy=$(printf '%s\n' "${copies[@]}" | sort -g | awk -v n="$runs" 'NR == int((n + 1) / 2)')
  lb_file=$(prepare='rm -f "$work/lockbox-out.img"' median_seconds "$lockbox" bde decrypt "$image" \
    --recovery-password-file "$work/rp.txt" -o "$work/lockbox-out.img" "${thread_args[@]}")
  dl_file=$(prepare='rm -f "$work/dislocker-out.img"' median_seconds dislocker-file -V "$image" \
    -p"$bench_rp" -- "$work/dislocker-out.img")
  if ! cmp -s "$work/lockbox-out.img" "$work/dislocker-out.img"; then
    echo "WARNING: lockbox and dislocker outputs differ for $cipher" >&2
  fi
  rm -f "$work/lockbox-out.img" "$work/dislocker-out.img" "$image"
  # Decrypt-only: whole-command time minus the tool's own unlock time.
  dl_decrypt=$(awk -v a="$dl_file" -v b="${dislocker_unlock_rp:-0}" 'BEGIN {d = a - (b == "-" ? 0 : b); printf "%.3f", d}')
  target=10; [[ $cipher == elephant-128 ]] && target=20
  ratio_whole=$(ratio "$dl_file" "$lb_file")
  ratio_decrypt=$(ratio "$dl_decrypt" "$lb_copy")
  printf '%-13s %14s %14s %14s %16s %12s %14s %9s\n' "$cipher" "$(rate $size_bytes "$lb_null")" \
    "$(rate $size_bytes "$lb_copy")" "$(rate $size_bytes "$lb_file")" "$(rate $size_bytes "$dl_file")" \
    "$ratio_whole" "$ratio_decrypt" "${target}x"
done
echo
echo "lb->null: whole 'lockbox bde decrypt -o /dev/null' incl. unlock; lb->null copy: the copy alone"
echo "ratio whole: dislocker->file vs lockbox->file time, both incl. unlock and writing the file"
echo "ratio decrypt: dislocker->file minus its unlock vs lockbox's copy alone to /dev/null"
