#!/usr/bin/env bash
# The main job: installs what is missing, builds dflab, then builds the starter exercise pack
# `intro` (its evidence image from the recipe, reproducibly; every answer derived from the image
# by the forensic engine and checked against the image's ground truth) and prints its solved
# walkthrough.
#
# usage: scripts/demo.sh [OUTDIR] [LANG]     (default: out/intro, en; LANG: en or ru)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/out/intro}
lang=${2:-en}
bash "$here/scripts/setup.sh" >/dev/null
dflab=$here/build/tools/dflab
pack=$here/exercises/packs/intro
step() { printf '\n== %s\n' "$*"; }

step "dflab pack validate $pack"
"$dflab" pack validate "$pack"
step "dflab pack build $pack -o $out"
"$dflab" pack build "$pack" -o "$out" --force
step "The participant bundle (hand out) and the instructor bundle (keep)"
(cd "$out" && find participant instructor -type f | sort)
step "dflab verify: the evidence participants get"
"$dflab" verify "$out/participant/images/usb-stick.E01"
step "The solved walkthrough (dflab pack solve $out --lang $lang)"
"$dflab" pack solve "$out" --lang "$lang"
