#!/usr/bin/env bash
# Cross-builds the Windows agent, one static lockbox-agent.exe, with mingw-w64 (Debian's
# g++-mingw-w64-x86-64-posix) into BUILD_DIR (default build-win):
#   1. OpenSSL for mingw, built once from Debian's source package into LOCKBOX_WINDOWS_DEPS
#      (default BUILD_DIR/deps; Debian has no mingw OpenSSL package); a second run reuses it
#   2. an include folder of symlinks to Debian's header-only libraries (Boost, nlohmann-json,
#      CLI11, toml++), so the cross compiler sees those and nothing else of /usr/include
#   3. the agent's parts only, with cmake/mingw-w64.cmake
#   4. the MSI (packaging/windows/lockbox-agent.wxs) with msitools' wixl, checked with msiinfo
# Usage: scripts/build-windows-agent.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=$(realpath -m "${1:-build-win}")
deps=$(realpath -m "${LOCKBOX_WINDOWS_DEPS:-$build/deps}")
jobs=$(nproc)
openssl_prefix=$deps/openssl
host=x86_64-w64-mingw32

# Debian's source package, fetched by apt from a private source list (the machine's own apt
# configuration is not touched); apt checks the files against the archive's signed index.
fetch_openssl_source() {
  local apt_dir=$deps/apt
  mkdir -p "$apt_dir/lists/partial" "$deps/src"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
    "http://deb.debian.org/debian bookworm main" >"$apt_dir/sources.list"
  local options=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
                 -o "Dir::State::Lists=$apt_dir/lists" -o APT::Sandbox::User=root)
  apt-get -qq "${options[@]}" update
  (cd "$deps/src" && apt-get -qq "${options[@]}" source --download-only openssl)
}

# Bookworm's OpenSSL 3.0 (the upstream tarball of its source package), static, libraries only
# (3.0 has no no-docs option: build_libs builds no documentation anyway).
build_openssl() {
  if [ -f "$openssl_prefix/built" ]; then
    echo "build-windows-agent: OpenSSL $(cat "$openssl_prefix/built") for mingw from $openssl_prefix"
    return
  fi
  local start=$SECONDS
  rm -rf "$deps/src" "$openssl_prefix"
  fetch_openssl_source
  local tarball version
  tarball=$(ls "$deps"/src/openssl_*.orig.tar.gz)
  version=$(basename "$tarball" .orig.tar.gz)
  version=${version#openssl_}
  local source=$deps/src/openssl-$version
  tar -xzf "$tarball" -C "$deps/src"
  echo "build-windows-agent: building OpenSSL $version for mingw (a few minutes, once)"
  (cd "$source" &&
    CC=$host-gcc-posix AR=$host-ar RANLIB=$host-ranlib RC=$host-windres \
      ./Configure mingw64 no-shared no-tests --prefix="$openssl_prefix" \
      --libdir=lib64 >/dev/null &&
    make -s -j "$jobs" build_libs &&
    make -s install_dev) >"$deps/openssl-build.log" 2>&1 ||
    { tail -n 30 "$deps/openssl-build.log"; echo "build-windows-agent: OpenSSL failed to build" \
      "(log: $deps/openssl-build.log)" >&2; exit 1; }
  rm -rf "$deps/src"
  echo "$version" >"$openssl_prefix/built"
  echo "build-windows-agent: OpenSSL built in $((SECONDS - start)) s"
}

# Debian's header-only libraries, each by a symlink: the rest of /usr/include is for Linux.
link_headers() {
  mkdir -p "$build/include"
  local name
  for name in boost nlohmann CLI toml++; do
    [ -d "/usr/include/$name" ] || { echo "build-windows-agent: /usr/include/$name is missing:" \
      "run scripts/install-deps.sh" >&2; exit 1; }
    ln -sfn "/usr/include/$name" "$build/include/$name"
  done
}

mkdir -p "$deps"
build_openssl
link_headers
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" -DLOCKBOX_WERROR=ON "${launcher[@]}" \
  -DLOCKBOX_WINDOWS_OPENSSL="$openssl_prefix" -DLOCKBOX_WINDOWS_INCLUDE="$build/include" >/dev/null
cmake --build "$build" -j "$jobs" --target lockbox-agent

# The MSI, then what msiinfo reads back from it: the service, the config step, the properties.
(cd "$build" && wixl -a x64 -o lockbox-agent.msi "$root/packaging/windows/lockbox-agent.wxs" 2>/dev/null)
check_msi() {
  local table=$1 expected=$2
  local rows  # read whole first: grep -q quitting early would fail the pipe (pipefail)
  rows=$(msiinfo export "$build/lockbox-agent.msi" "$table")
  grep -q -- "$expected" <<<"$rows" ||
    { echo "build-windows-agent: the MSI's $table table lacks $expected" >&2; exit 1; }
}
check_msi File lockbox-agent.exe
check_msi ServiceInstall "LockboxAgent.*LocalSystem.*--provider windows --service run"
check_msi ServiceControl LockboxAgent
check_msi CustomAction "--service configure --server-url \"\[SERVER_URL\]\" --enrollment-token \"\[ENROLLMENT_TOKEN\]\""
check_msi InstallExecuteSequence "WriteConfig"
check_msi Property "SecureCustomProperties.SERVER_URL;ENROLLMENT_TOKEN;CA_FILE"
echo "build-windows-agent: $build/lockbox-agent.exe and $build/lockbox-agent.msi (checked with msiinfo)"
