#!/usr/bin/env bash
# Installs what Lockbox needs to build, test and benchmark on Debian 12 (run as root, or with
# sudo available). Safe to run again: it installs only what is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git xz-utils
  # libraries
  libssl-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libfuse3-dev fuse3
  libsqlite3-dev libpq-dev libboost-dev libtomlplusplus-dev libargon2-dev libldap-dev
  libsasl2-dev
  # tests, fuzzing, benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev
  postgresql-15  # a real server for the store tests (tests/support/postgres.cc)
  chromium  # the portals' browser tests (tests/browser)
  # a real Samba AD domain controller for `lockbox import ad` (tests/support/samba_dc.sh)
  samba samba-ad-dc samba-ad-provision ldb-tools ldap-utils
  krb5-user libsasl2-modules-gssapi-mit  # Kerberos binds (kinit, the SASL GSSAPI plugin)
  # the Windows agent: cross-compiler, wine to run it, wixl and msiinfo for its MSI
  # (scripts/build-windows-agent.sh; dpkg-dev unpacks OpenSSL's source package)
  g++-mingw-w64-x86-64-posix wine64 msitools wixl dpkg-dev
  # peers measured side by side by bench/
  dislocker libbde-utils cryptsetup-bin hyperfine nginx wrk
)
# The browser tests run on Node.js 20 or later (playwright-core needs it); Debian 12's own
# nodejs is 18, so a newer one already installed (NodeSource's package) is kept.
command -v node >/dev/null || packages+=(nodejs npm)

# The browser tests' npm packages, exactly as package-lock.json pins them.
install_npm_packages() {
  local dir
  dir="$(dirname "$0")/../tests/browser"
  if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
    echo "install-deps: Node.js $(node --version) is too old for the browser tests (20+)" >&2
    return 0
  fi
  # npm ci writes node_modules/.package-lock.json: newer than the lockfile means up to date.
  if [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "install-deps: npm ci in tests/browser"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  install_npm_packages
  echo "install-deps: everything is installed"
  exit 0
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
# Packages with a daemon (nginx, postgresql, samba) start it on install; Lockbox's tests and
# benchmarks start their own on loopback ports, and a system nginx failing to bind port 80 would
# fail the install. Unless the machine has a policy already, services stay stopped while installing.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod 755 "$policy"
  own_policy=true
fi
status=0
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null || status=$?
if [ "$own_policy" = true ]; then "${sudo[@]}" rm -f "$policy"; fi
[ "$status" -eq 0 ] || exit "$status"
install_npm_packages
echo "install-deps: done"
