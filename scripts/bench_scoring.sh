#!/usr/bin/env bash
# Benchmark: `dflab regrade` grading every submission of a lab record. Generates (seeded) an answer
# key of 50 questions of mixed types (hash, timestamp, path, set of paths, integer, text) over
# 3 variants, a lab record with 200 participants and 100,000 submissions (right answers in other
# spellings, wrong ones, other variants' answers), then times two regrades with /usr/bin/time -v:
# the first grades everything (all verdicts change from the placeholder), the second runs against a
# corrected key (5 answers changed). Prints submissions per second and peak memory (max RSS).
# Built Release in its own build directory. Target: >= 50,000 submissions per second.
#
# usage: scripts/bench_scoring.sh [WORKDIR]     (default /tmp/dflab-bench-scoring)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/dflab-bench-scoring}
build=${BUILD:-$here/build-release}
[ -x /usr/bin/time ] || { echo "bench_scoring.sh needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
if [ -z "${DFLAB:-}" ]; then
    cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDFLAB_TESTS=OFF >/dev/null
    ninja -C "$build" -j1 dflab >/dev/null
fi
dflab=${DFLAB:-$build/tools/dflab}
rm -rf "$work" && mkdir -p "$work/key" "$work/fixed"

python3 - "$work" <<'PY'
import hashlib, json, random, sys
work = sys.argv[1]
rng = random.Random(2026)
variants = [0, 1, 2]
kinds = ["hash", "timestamp", "path", "set", "integer", "text"]

def answer(kind, q, v):
    if kind == "hash":
        return {"sha256": hashlib.sha256(f"{q}-{v}".encode()).hexdigest()}
    if kind == "timestamp":
        return f"2023-10-{2 + v:02d}T{10 + q % 12:02d}:{q % 60:02d}:11Z"
    if kind == "path":
        return f"/Users/ann/Documents/q{q}/report-{v}.docx"
    if kind == "set":
        return [f"/Photos/img{q}-{v}-{i}.jpg" for i in range(3)]
    if kind == "integer":
        return 4096 * (q + 1) + v
    return f"CONFIDENTIAL-{q}-{v}"

def key(changed):
    questions = []
    for q in range(50):
        kind = kinds[q % len(kinds)]
        answers = {str(v): answer(kind, q + (1000 if q in changed else 0), v) for v in variants}
        options = {"hash": {"algorithm": "sha256"}, "timestamp": {"tolerance_seconds": 60},
                   "path": {"case_sensitive": False}, "set": {"element_type": "path"},
                   "integer": {}, "text": {}}[kind]
        questions.append({"id": f"q{q:02d}-{kind}", "type": kind, "points": 10, "answer": answers["0"],
                          "answers": answers, "options": options, "max_attempts": 0,
                          "wrong_attempt_penalty": 1, "hints": [{"cost": 1}], "prerequisites": [],
                          "choices": [], "rubric": {}})
    return {"format": "dflab-answer-key", "format_version": 1, "pack": "bench", "pack_version": "1.0.0",
            "date_order": "DMY", "variants": variants, "questions": questions}

json.dump(key(set()), open(f"{work}/key/answer-key.json", "w"))
json.dump(key({3, 13, 23, 33, 43}), open(f"{work}/fixed/answer-key.json", "w"))

with open(f"{work}/people.csv", "w") as f:
    f.write("id,name,team,variant\n")
    for p in range(200):
        f.write(f"p{p:03d},Participant {p},team{p % 20},{p % 3}\n")

def spelling(kind, value):  # the right answer as a participant might write it
    if kind == "hash":
        return rng.choice([value["sha256"], value["sha256"].upper()])
    if kind == "timestamp":
        return rng.choice([value, value.replace("T", " "), value.replace(":11Z", ":40Z")])
    if kind == "path":
        return rng.choice([value, value.upper(), "C:" + value.replace("/", "\\")])
    if kind == "set":
        return rng.sample(value, len(value))
    if kind == "integer":
        return rng.choice([str(value), f"{value:,}", hex(value)])
    return rng.choice([value, value.lower(), "  " + value + " "])

def wrong(kind, q):
    if kind == "hash":
        return hashlib.sha256(str(rng.random()).encode()).hexdigest()
    if kind == "timestamp":
        return f"2023-11-{rng.randint(1, 28):02d}T12:00:00Z"
    if kind == "path":
        return f"/tmp/guess{rng.randint(0, 99)}.txt"
    if kind == "set":
        return [f"/Photos/img{q}-0-{i}.jpg" for i in range(rng.randint(1, 2))] + ["/x.jpg"]
    if kind == "integer":
        return str(rng.randint(0, 10 ** 6))
    return f"guess {rng.randint(0, 99)}"

rows = []
for p in range(200):
    v = p % 3
    for q in range(50):
        kind = kinds[q % len(kinds)]
        right = answer(kind, q, v)
        for attempt in range(10):
            r = rng.random()
            if r < 0.5:
                value = spelling(kind, right)
            elif r < 0.6:
                value = spelling(kind, answer(kind, q, (v + 1) % 3))
            else:
                value = wrong(kind, q)
            rows.append((f"p{p:03d}", f"q{q:02d}-{kind}", v, json.dumps(value),
                         f"2026-11-28T{9 + attempt // 6:02d}:{(attempt * 7 + q) % 60:02d}:00Z"))
rows.sort(key=lambda r: r[4])
with open(f"{work}/submissions.tsv", "w") as f:
    for r in rows:
        f.write("\t".join(str(x) for x in r) + "\n")
PY

export DFLAB_TIME=2026-11-28T08:00:00Z
"$dflab" lab init --key "$work/key" --db "$work/lab.sqlite" >/dev/null
"$dflab" lab participants --db "$work/lab.sqlite" import "$work/people.csv" >/dev/null
python3 - "$work" <<'PY'
import sqlite3, sys
work = sys.argv[1]
db = sqlite3.connect(f"{work}/lab.sqlite")
with db:
    db.executemany(
        "INSERT INTO submissions (participant, question, variant, value, normalised, verdict, fraction,"
        " points, feedback, hints_used, time) VALUES (?, ?, ?, ?, '', 'incorrect', 0, 0, '', 0, ?)",
        (line.rstrip("\n").split("\t") for line in open(f"{work}/submissions.tsv")))
db.close()
PY
count=$(sqlite3 "$work/lab.sqlite" "SELECT count(*) FROM submissions")
echo "lab record: $work/lab.sqlite, 200 participants, 50 questions, $count submissions"

# measure LABEL KEY: wall time and max RSS of one regrade
measure() {
    /usr/bin/time -v "$dflab" regrade --db "$work/lab.sqlite" --key "$2" >"$work/$1.out" 2>"$work/$1.time"
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$work/$1.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$work/$1.time")
    changed=$(grep -m1 '^verdicts changed' "$work/$1.out" | cut -d' ' -f3)
    python3 -c "print(f'{\"$1\":<22} {$wall:8.2f} s {$count / $wall:12,.0f} submissions/s {$rss:6} MiB peak   verdicts changed: $changed')"
}
measure "first grading" "$work/key"
measure "corrected key" "$work/fixed"
sqlite3 "$work/lab.sqlite" "SELECT verdict, count(*) FROM submissions GROUP BY verdict" | tr '\n' ' '
echo
