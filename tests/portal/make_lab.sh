#!/usr/bin/env bash
# A small lab for the portal's tests, made without building images: a hand-written answer key
# (the key is the fixture here, not an output of the code under test), a participant bundle with
# two variants' evidence files and its SHA256SUMS (by sha256sum), a lab record with participants
# and their access codes (dflab lab participants codes).
# usage: make_lab.sh DFLAB OUTDIR        writes OUTDIR/{key.json,bundle/,lab.sqlite,codes.csv,password}
set -euo pipefail
dflab=$1
out=$2
rm -rf "$out"
mkdir -p "$out/bundle/images/variant-0" "$out/bundle/images/variant-1" "$out/bundle/rules"
# Evidence: 3 MiB of reproducible bytes per variant (several reads of the server's chunk size).
python3 - "$out" <<'PY'
import hashlib, sys
out = sys.argv[1]
for v in (0, 1):
    data = b"".join(hashlib.sha256(f"variant{v}-{i}".encode()).digest() for i in range(3 * 1024 * 1024 // 32 + 7))
    open(f"{out}/bundle/images/variant-{v}/disk.raw", "wb").write(data)
PY
# The question asks for the SHA-256 of the disk's first MiB (not of the whole file, whose SHA-256
# the portal shows beside the download).
h0=$(head -c 1048576 "$out/bundle/images/variant-0/disk.raw" | sha256sum | cut -c1-64)
h1=$(head -c 1048576 "$out/bundle/images/variant-1/disk.raw" | sha256sum | cut -c1-64)
cat > "$out/key.json" <<JSON
{"format": "dflab-answer-key", "format_version": 1, "pack": "demo", "pack_version": "1.0.0",
 "date_order": "DMY", "variants": [0, 1],
 "questions": [
  {"id": "disk-hash", "type": "hash", "points": 10, "answer": {"sha256": "$h0"},
   "answers": {"0": {"sha256": "$h0"}, "1": {"sha256": "$h1"}}, "options": {"algorithm": "sha256"},
   "max_attempts": 3, "wrong_attempt_penalty": 1,
   "hints": [{"cost": 2, "text": {"en": "HINT-ONE-TEXT use sha256sum", "ru": "ПОДСКАЗКА-ОДИН sha256sum", "kk": "КЕҢЕС-БІР sha256sum"}},
             {"cost": 3, "text": {"en": "HINT-TWO-TEXT the whole file", "ru": "ПОДСКАЗКА-ДВА", "kk": "КЕҢЕС-ЕКІ"}}],
   "prerequisites": [], "choices": [], "rubric": {}},
  {"id": "owner", "type": "text", "points": 5, "answer": "alpha-secret-zero",
   "answers": {"0": "alpha-secret-zero", "1": "beta-secret-one"}, "options": {},
   "max_attempts": 0, "wrong_attempt_penalty": 0, "hints": [], "prerequisites": [], "choices": [], "rubric": {}},
  {"id": "block", "type": "integer", "points": 5, "answer": 4096, "answers": {"0": 4096, "1": 8192}, "options": {},
   "max_attempts": 0, "wrong_attempt_penalty": 0, "hints": [], "prerequisites": ["owner"], "choices": [], "rubric": {}},
  {"id": "summary", "type": "free_text", "points": 15, "answer": null, "answers": {"0": null, "1": null}, "options": {},
   "max_attempts": 1, "wrong_attempt_penalty": 0, "hints": [], "prerequisites": [], "choices": [],
   "rubric": {"en": "RUBRIC-TEXT names the suspect", "ru": "КРИТЕРИЙ"}}
 ]}
JSON
t() { printf '{"en": "%s", "ru": "%s", "kk": "%s"}' "$1" "$2" "$3"; }
cat > "$out/bundle/pack.json" <<JSON
{"format": "dflab-pack", "format_version": 1, "id": "demo", "version": "1.0.0",
 "title": $(t "Demo case" "Демо-дело" "Демо іс"), "description": $(t "A USB stick was seized." "Изъята флешка." "Флешка алынды."),
 "authors": ["tests"], "module": "intro", "difficulty": "easy", "estimated_minutes": 30,
 "languages": ["en", "ru", "kk"], "date_order": "DMY",
 "images": [{"id": "disk", "variant": 0, "files": ["images/variant-0/disk.raw"]},
            {"id": "disk", "variant": 1, "files": ["images/variant-1/disk.raw"]}],
 "rules": [],
 "questions": [
  {"id": "disk-hash", "title": $(t "Disk hash" "Хеш диска" "Диск хэші"), "text": $(t "SHA-256 of the first MiB of disk.raw?" "SHA-256 первого МиБ disk.raw?" "disk.raw алғашқы МиБ SHA-256?"),
   "type": "hash", "points": 10, "choices": [], "hints": [{"cost": 2}, {"cost": 3}], "prerequisites": [], "max_attempts": 3},
  {"id": "owner", "title": $(t "Owner" "Владелец" "Иесі"), "text": $(t "Who owns it?" "Кто владелец?" "Иесі кім?"),
   "type": "text", "points": 5, "choices": [], "hints": [], "prerequisites": [], "max_attempts": 0},
  {"id": "block", "title": $(t "Block size" "Размер блока" "Блок өлшемі"), "text": $(t "Block size?" "Размер блока?" "Блок өлшемі?"),
   "type": "integer", "points": 5, "choices": [], "hints": [], "prerequisites": ["owner"], "max_attempts": 0},
  {"id": "summary", "title": $(t "Summary" "Вывод" "Қорытынды"), "text": $(t "Summarise." "Сделайте вывод." "Қорытындылаңыз."),
   "type": "free_text", "points": 15, "choices": [], "hints": [], "prerequisites": [], "max_attempts": 1}
 ]}
JSON
(cd "$out/bundle" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | sort | xargs sha256sum > SHA256SUMS)
"$dflab" lab init --key "$out/key.json" --db "$out/lab.sqlite" >/dev/null
"$dflab" lab participants add p1 --name "Айгерим Сапарова" --variant 0 --db "$out/lab.sqlite" >/dev/null
"$dflab" lab participants add p2 --name "<script>alert(1)</script> Ivan" --variant 1 --team "Blue" --db "$out/lab.sqlite" >/dev/null
"$dflab" lab participants add p3 --name "Third Person" --variant 0 --db "$out/lab.sqlite" >/dev/null
"$dflab" lab participants codes --db "$out/lab.sqlite" > "$out/codes.csv"
echo "correct-horse-battery" > "$out/password"
