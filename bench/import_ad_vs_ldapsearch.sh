#!/usr/bin/env bash
# import_ad_vs_ldapsearch.sh: `lockbox import ad` against `ldapsearch` paging through the same
# objects of the same Samba AD domain controller in the same run.
#
#   bench/import_ad_vs_ldapsearch.sh [--keys 10000[,100000]] [--build DIR]
#
# Provisions a throwaway Samba DC (tests/support/samba_dc.sh, 127.0.0.1:389/636 must be free),
# seeds OU=Bench with computers holding two msFVE-RecoveryInformation objects each (ldbadd
# into the stopped DC's database in one batch-mode transaction; the seeding time is printed),
# starts it, and for each count:
#   ldapsearch: the computers and the recovery objects, paged by 1000 as the import asks, with
#               the same attributes, LDIF to /dev/null;
#   lockbox:    `import ad --recurse --dry-run` (read and check) and `import ad --recurse` into
#               a fresh data dir (SQLite on /tmp: every batch of 1000 a durable transaction).
# Prints the times and the ratios to ldapsearch; the target is 1.5x for the import.
# Larger counts are seeded on top of the smaller ones (the DC is stopped for ldbadd).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build="$repo/build"
counts="10000"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keys) counts=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
lockbox="$build/lockbox"
[[ -x "$lockbox" ]] || { echo "missing $lockbox: ninja -C $build lockbox" >&2; exit 1; }
for tool in samba ldbadd ldapsearch python3; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d /tmp/lockbox-ad-bench.XXXXXX)
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && sleep 1
  rm -rf "$work"
}
trap cleanup EXIT
base="DC=corp,DC=example,DC=test"
bench="OU=Bench,$base"
password='Passw0rd!Adm1n'
printf '%s\n' "$password" > "$work/bind-password"
chmod 600 "$work/bind-password"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

echo "provisioning a Samba AD DC in $work ..."
start=$(now)
bash "$repo/tests/support/samba_dc.sh" provision "$work/dc"
printf 'dn: %s\nobjectClass: organizationalUnit\n\n' "$bench" > "$work/ou.ldif"
ldbadd -H "$work/dc/private/sam.ldb" "$work/ou.ldif" > /dev/null
echo "provisioned in $(elapsed "$start") s"

# LDIF of computers first..last-1 (two recovery objects each; every password valid).
seed_ldif() {
  python3 - "$1" "$2" "$bench" <<'PY'
import base64, sys, uuid
first, last, bench = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
password = "235818-357951-253979-013365-241120-245575-342914-591910"
out = sys.stdout
for c in range(first, last):
    computer = f"CN=PC-{c:06d},{bench}"
    out.write(f"dn: {computer}\nobjectClass: computer\nsAMAccountName: PC-{c:06d}$\n\n")
    for k in range(2):
        key = uuid.UUID(int=(c << 8 | k) + 1)
        volume = uuid.UUID(int=(c << 8 | k) + (1 << 100))
        b64 = lambda u: base64.b64encode(u.bytes_le).decode()
        out.write(f"dn: CN=2024-01-0{k + 1}T08:00:00-05:00{{{str(key).upper()}}},{computer}\n"
                  "objectClass: msFVE-RecoveryInformation\n"
                  f"msFVE-RecoveryPassword: {password}\nmsFVE-RecoveryGuid:: {b64(key)}\n"
                  f"msFVE-VolumeGuid:: {b64(volume)}\n"
                  f"msFVE-KeyPackage:: {base64.b64encode(bytes(1200)).decode()}\n\n")
PY
}

seeded=0  # computers
ldap_auth=(-x -H ldaps://127.0.0.1 -D Administrator@corp.example.test -w "$password")
for keys in ${counts//,/ }; do
  computers=$(( keys / 2 ))
  if (( computers > seeded )); then
    [[ -n "$pid" ]] && { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; sleep 1; }
    start=$(now)
    seed_ldif "$seeded" "$computers" > "$work/seed.ldif"
    # One transaction for the whole file (ldbadd's own), without fsync, and in batch mode
    # (as samba-tool domain join): no sub-transaction per entry, whose copy of every index
    # list it touches made the seeding quadratic (objectClass=top lists all objects).
    ldbadd --nosync -o batch_mode:1 -o transaction_index_cache_size:202481 \
      -H "$work/dc/private/sam.ldb" "$work/seed.ldif" > "$work/seed.log"
    rm -f "$work/seed.ldif"
    seed_s=$(elapsed "$start")
    awk -v c=$(( computers - seeded )) -v s="$seed_s" -v l="$(cut -d' ' -f1-3 /proc/loadavg)" \
      'BEGIN { printf "seeded %d computers with %d recovery objects in %.1f s (%.0f entries/s; load %s)\n",
                      c, 2 * c, s, 3 * c / s, l }'
    seeded=$computers
  fi
  if [[ -z "$pid" ]]; then
    bash "$repo/tests/support/samba_dc.sh" start "$work/dc"
    pid=$(cat "$work/dc/samba.pid")
  fi
  export LDAPTLS_CACERT="$work/dc/pki/ca.pem"

  start=$(now)
  ldapsearch "${ldap_auth[@]}" -b "$bench" -E pr=1000/noprompt "(objectClass=computer)" \
    cn sAMAccountName objectGUID managedBy msTPM-OwnerInformation msTPM-TpmInformationForComputer \
    whenChanged uSNChanged > /dev/null
  ldapsearch "${ldap_auth[@]}" -b "$bench" -E pr=1000/noprompt \
    "(objectClass=msFVE-RecoveryInformation)" cn msFVE-RecoveryPassword msFVE-RecoveryGuid \
    msFVE-VolumeGuid msFVE-KeyPackage > /dev/null
  ldap_s=$(elapsed "$start")

  import=("$lockbox" import ad --url ldaps://127.0.0.1 --ca-file "$LDAPTLS_CACERT"
          --bind-dn Administrator@corp.example.test --password-file "$work/bind-password"
          --search-base "$bench" --recurse --json)
  start=$(now)
  "${import[@]}" --dry-run > "$work/dry.json"
  dry_s=$(elapsed "$start")

  rm -rf "$work/data"
  "$lockbox" init --data-dir "$work/data" > /dev/null
  start=$(now)
  "${import[@]}" --data-dir "$work/data" > "$work/import.json"
  import_s=$(elapsed "$start")
  new=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["keys"]["new"])' \
    "$work/import.json")
  [[ "$new" == "$keys" ]] || { echo "the import stored $new keys, not $keys" >&2; exit 1; }

  awk -v k="$keys" -v l="$ldap_s" -v d="$dry_s" -v i="$import_s" \
    -v load="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
    printf "%7d keys: ldapsearch %6.2f s | lockbox --dry-run %6.2f s (%.2fx) | lockbox import %6.2f s (%.2fx ldapsearch, %.0f keys/s; target 1.5x) | load %s\n",
      k, l, d, d / l, i, i / l, k / i, load }'
done
