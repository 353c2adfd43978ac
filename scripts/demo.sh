#!/usr/bin/env bash
# The main job: installs what is missing, builds dflab, makes a small sample evidence image with
# standard tools (a multi-segment E01 of an MBR disk with FAT16, ext4 and FAT12 file systems,
# deleted files, a disguised PNG and Cyrillic text) and runs the full analysis on it.
#
# usage: scripts/demo.sh [OUTDIR]     (default: out/demo)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/out/demo}
bash "$here/scripts/setup.sh" >/dev/null
dflab=$here/build/tools/dflab

echo "== Building the sample evidence (tests/fixtures/make.sh) into $out/evidence"
bash "$here/tests/fixtures/make.sh" "$out/evidence" 2>/dev/null
image=$out/evidence/disk.E01
case_db=$out/case.sqlite
step() { printf '\n== %s\n' "$*"; }

step "dflab info $image"
"$dflab" info "$image"
step "dflab verify (recomputes MD5/SHA-1 and compares with the hashes the E01 stores)"
"$dflab" verify "$image"
step "dflab partitions"
"$dflab" partitions "$image"
step "dflab analyze: files, hashes, file types, YARA and keywords, unallocated space included"
"$dflab" analyze "$image" -r "$here/scripts/demo/rules.yar" -k "секретный ключ" -k password \
    -o "$case_db" --force
step "Deleted files"
"$dflab" query "$case_db" "SELECT partition, path, inode, size, md5 FROM files WHERE allocated = 0 AND type = 'file'"
step "Files whose extension lies about their type"
"$dflab" query "$case_db" "SELECT partition, path, mime FROM files WHERE extension_mismatch = 1"
step "YARA matches"
"$dflab" query "$case_db" "SELECT m.rule, m.partition, coalesce(f.path, '(unallocated, image offset ' || m.image_offset || ')') AS location FROM yara_matches m LEFT JOIN files f ON f.id = m.file_id ORDER BY m.rule, location"
step "Keyword hits"
"$dflab" query "$case_db" "SELECT h.term, h.encoding, h.partition, coalesce(f.path, '(unallocated block ' || h.block || ')') AS location, h.offset FROM keyword_hits h LEFT JOIN files f ON f.id = h.file_id ORDER BY h.term, location"
step "Case database: $case_db (explore it with: $dflab query $case_db \"SQL\")"
