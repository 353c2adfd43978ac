#!/usr/bin/env bash
# Builds the starter pack (exercises/packs/intro, 2 variants) once for the portal tests and the
# portal benchmark, and prints the folder that holds participant/ and instructor/.
# Usage: tests/browser/build_pack.sh DFLAB [CACHE_DIR]
# The build is cached in CACHE_DIR (default: beside the dflab binary, ../tests/portal-pack) and
# redone when the dflab binary or the pack's sources change. Concurrent callers (CTest runs tests
# side by side) wait on one lock, so the pack is built once.
# DFLAB_PORTAL_PACK, when set, names a pack folder built before: it is used as it is.
set -euo pipefail
if [ -n "${DFLAB_PORTAL_PACK:-}" ]; then
  echo "$DFLAB_PORTAL_PACK"
  exit 0
fi
here=$(cd "$(dirname "$0")/../.." && pwd)
dflab=$(realpath "${1:?usage: build_pack.sh DFLAB [CACHE_DIR]}")
cache=${2:-${DFLAB_PORTAL_PACK_CACHE:-$(dirname "$dflab")/../tests/portal-pack}}
mkdir -p "$cache"
cache=$(realpath "$cache")
pack_source="$here/exercises/packs/intro"

stamp=$( {
  stat -c '%s %Y' "$dflab"
  (cd "$pack_source" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
} | sha256sum | cut -d' ' -f1)

exec 9>"$cache/.lock"
flock 9
if [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ] &&
  [ -f "$cache/out/instructor/answer-key.json" ] && [ -f "$cache/out/participant/pack.json" ]; then
  echo "$cache/out"
  exit 0
fi
rm -rf "$cache/out" "$cache/stamp"
# The pack build writes its progress to stderr; keep it out of the caller's output unless it fails.
if ! "$dflab" pack build "$pack_source" -o "$cache/out" --variants 2 >"$cache/build.log" 2>&1; then
  cat "$cache/build.log" >&2
  echo "build_pack.sh: dflab pack build $pack_source failed (log above)" >&2
  exit 1
fi
echo "$stamp" >"$cache/stamp"
echo "$cache/out"
