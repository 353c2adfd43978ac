#!/usr/bin/env bash
# The main job: what a trainer does on the morning of the workshop. Installs what is missing and
# builds the dflab command (only it), builds the starter exercise pack `intro` (its evidence from
# the recipe, reproducibly, one variant per participant group; every answer derived from the
# evidence by the forensic engine and checked against the image's ground truth), creates a lab
# with a few demo participants and their access codes, and serves the lab portal. Open the URL it
# prints in a browser, log in with the code it prints; Ctrl-C stops the server.
#
# usage: scripts/demo.sh [OUTDIR] [ADDRESS:PORT]     (default: out/intro, 0.0.0.0:8080)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/out/intro}
listen=${2:-0.0.0.0:8080}
DFLAB_BUILD_TARGET=dflab bash "$here/scripts/setup.sh" >/dev/null
dflab=$here/build/tools/dflab
pack=$here/exercises/packs/intro
step() { printf '\n== %s\n' "$*" >&2; }

step "dflab pack validate $pack"
"$dflab" pack validate "$pack"
step "dflab pack build $pack -o $out --variants 2 (evidence, answers, bundles)"
"$dflab" pack build "$pack" -o "$out" --variants 2 --force
step "dflab lab init: the lab record, the only store of the workshop"
rm -f "$out/lab.sqlite" "$out/lab.sqlite-wal" "$out/lab.sqlite-shm"
"$dflab" lab init --key "$out/instructor" --db "$out/lab.sqlite"
cat > "$out/participants.csv" <<'CSV'
id,name,team
p01,Айгерим Сапарова,Almaty
p02,Иван Петров,Astana
p03,Dilnoza Karimova,Tashkent
CSV
"$dflab" lab participants import "$out/participants.csv" --db "$out/lab.sqlite"
step "dflab lab participants codes: one slip per participant (print $out/codes.html)"
"$dflab" lab participants codes --db "$out/lab.sqlite" -o "$out/codes.html" --csv "$out/codes.csv" >/dev/null
printf 'demo participant p01 (Айгерим Сапарова), access code: %s\n' "$(grep '^p01,' "$out/codes.csv" | cut -d, -f3)" >&2
printf 'the instructor password is printed below by dflab serve\n' >&2
step "dflab serve: the lab portal (Ctrl-C stops it)"
exec "$dflab" serve --lab "$out/lab.sqlite" --bundle "$out/participant" --listen "$listen"
