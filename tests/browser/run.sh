#!/usr/bin/env bash
# Runs the portal's browser tests (node:test + playwright-core driving Debian's Chromium) against
# a dflab binary. CTest runs it as browser_tests (tests/CMakeLists.txt).
# Usage: tests/browser/run.sh DFLAB
# Needs node (20 or later) on PATH and /usr/bin/chromium (Debian's chromium; scripts/setup.sh
# installs it). Installs playwright-core into tests/browser/node_modules from package-lock.json
# when missing (npm ci); never downloads a browser. Screenshots go to tests/browser/out/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
DFLAB_BINARY=$(realpath "${1:?usage: run.sh DFLAB}")
export DFLAB_BINARY
command -v node >/dev/null || { echo "run.sh: node is not on PATH (Node.js 20 or later is needed)" >&2; exit 1; }
chromium=${DFLAB_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "run.sh: $chromium is missing: apt-get install chromium (scripts/setup.sh)" >&2; exit 1; }

cd "$here"
if [ ! -f node_modules/playwright-core/package.json ]; then
  # Only this test installs node_modules; the lock keeps two runs of it from racing.
  exec 8>"$here/.npm-install.lock"
  flock 8
  [ -f node_modules/playwright-core/package.json ] || npm ci --no-audit --no-fund --loglevel=error
fi
# The pack is built once for every test file (they run side by side).
DFLAB_PORTAL_PACK=$(bash "$here/build_pack.sh" "$DFLAB_BINARY")
export DFLAB_PORTAL_PACK
mkdir -p "$here/out"
exec node --test "$here/"
