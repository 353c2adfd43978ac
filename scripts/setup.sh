#!/usr/bin/env bash
# Installs every Debian package dflab needs (idempotent), then configures and builds.
# Usage: scripts/setup.sh [--no-build]      (DFLAB_BUILD_TARGET=dflab builds only the command)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake ninja-build pkg-config clang-format
  libtsk-dev libewf-dev libyara-dev libssl-dev libmagic-dev libsqlite3-dev libxml2-dev
  libpcre2-dev libhowardhinnant-date-dev libboost1.81-dev libboost-locale1.81-dev libkainjow-mustache-dev libsodium-dev gettext libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev
  sleuthkit ewf-tools yara sqlite3 faketime time xxd openssl
  mtools dosfstools e2fsprogs ntfs-3g ntfs-3g-dev gdisk fdisk qemu-utils
  zlib1g-dev libjpeg62-turbo-dev libzip-dev poppler-utils qpdf unzip libjpeg-turbo-progs file python3 curl
  bzip2 xz-utils zstd
  foremost scalpel testdisk pngcheck
  libhivex-dev libhivex-bin libregf-dev libbfio-dev libregf-utils regripper libwin-hivex-perl
  libevtx-dev libevtx-utils liblnk-dev liblnk-utils libscca-dev libscca-utils
  libexif-dev libimage-exiftool-perl libxml2-utils geographiclib-tools
  rifiuti2
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ "${1:-}" = "--no-build" ] && exit 0
build=${DFLAB_BUILD_DIR:-$here/build}
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${DFLAB_BUILD_TYPE:-RelWithDebInfo} ${DFLAB_CMAKE_ARGS:-}
cmake --build "$build" -j "$(nproc)" --target ${DFLAB_BUILD_TARGET:-all}
