#!/usr/bin/env bash
# Benchmark of the lab portal (`dflab serve`; not a test): a workshop room of 300 participants on
# loopback for 60 s — logging in, polling their lab's JSON every 5 s and the HTML page now and
# then, submitting answers and unlocking hints — while 50 of them download a 4 GiB evidence image
# at once, each at a bounded rate. Then the same kind of submissions through `dflab lab submit`,
# one process per submission (what instructors have without the portal), side by side.
#
# Usage: scripts/bench_portal.sh [DFLAB]            (default: build/tools/dflab, RelWithDebInfo)
# Settings (environment): PARTICIPANTS=300 DURATION=60 DOWNLOADERS=50 RATE=2M (curl --limit-rate
# per download; 50 x 2 MiB/s is about a saturated gigabit LAN) CLI_CONCURRENCY=8 CLI_ALL=1 (also
# run all CLI submissions at once). Cached in DFLAB_BENCH_CACHE (default build/bench-portal): the
# built intro pack and the SHA-256 of the sparse 4 GiB image.
# Targets: submission p99 < 50 ms, page p99 < 100 ms, server RSS < 200 MiB during the downloads,
# no failed request.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dflab=$(realpath "${1:-$here/build/tools/dflab}")
participants=${PARTICIPANTS:-300}
duration=${DURATION:-60}
downloaders=${DOWNLOADERS:-50}
rate=${RATE:-2M}
cli_concurrency=${CLI_CONCURRENCY:-8}
cache=${DFLAB_BENCH_CACHE:-$here/build/bench-portal}
mkdir -p "$cache"
for tool in node curl python3 sqlite3; do
  command -v "$tool" >/dev/null || { echo "bench_portal.sh: $tool is needed" >&2; exit 1; }
done

work=$(mktemp -d /tmp/dflab-bench-portal.XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
say() { printf '%s\n' "bench_portal: $*" >&2; }

say "building the intro pack (cached in $cache/pack)"
pack=$(bash "$here/tests/browser/build_pack.sh" "$dflab" "$cache/pack")

say "lab record with $participants participants and their access codes"
python3 - "$participants" >"$work/people.csv" <<'EOF'
import csv, sys
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["id", "name", "team"])
for i in range(1, int(sys.argv[1]) + 1):
    w.writerow([f"p{i:03}", f"Участник {i:03} Participant", f"team-{i % 30:02}"])
EOF
"$dflab" lab init --key "$pack/instructor" --db "$work/lab.sqlite" >/dev/null
"$dflab" lab participants import "$work/people.csv" --db "$work/lab.sqlite" >/dev/null
"$dflab" lab participants codes --db "$work/lab.sqlite" >"$work/codes.csv" 2>/dev/null

say "participant bundle with a sparse 4 GiB image in each variant"
cp -r "$pack/participant" "$work/bundle"
big=disk-4g.raw
variants=$(python3 -c 'import json,sys; print(" ".join(str(i["variant"]) for i in json.load(open(sys.argv[1]))["images"]))' "$work/bundle/pack.json")
for v in $variants; do truncate -s 4G "$work/bundle/images/variant-$v/$big"; done
first=$(set -- $variants; echo "$1")
if [ ! -s "$cache/sparse-4g.sha256" ]; then
  say "SHA-256 of the sparse 4 GiB file (once; cached)"
  sha256sum "$work/bundle/images/variant-$first/$big" | cut -d' ' -f1 >"$cache/sparse-4g.sha256"
fi
sum=$(cat "$cache/sparse-4g.sha256")
python3 - "$work/bundle" "$big" "$sum" <<'EOF'
import hashlib, json, os, sys
bundle, big, digest = sys.argv[1:]
path = os.path.join(bundle, "pack.json")
pack = json.load(open(path, encoding="utf-8"))
added = []
for image in pack["images"]:
    name = f"images/variant-{image['variant']}/{big}"
    image["files"].append(name)
    added.append(name)
with open(path, "w", encoding="utf-8") as f:
    json.dump(pack, f, ensure_ascii=False, indent=2, sort_keys=True)
    f.write("\n")
sums_path = os.path.join(bundle, "SHA256SUMS")
sums = {}
for line in open(sums_path, encoding="utf-8"):
    if line.strip():
        value, name = line.rstrip("\n").split(None, 1)
        sums[name.lstrip("*")] = value
for name in added:
    sums[name] = digest
sums["pack.json"] = hashlib.sha256(open(path, "rb").read()).hexdigest()
with open(sums_path, "w", encoding="utf-8") as f:
    for name in sorted(sums):
        f.write(f"{sums[name]}  {name}\n")
EOF

say "starting dflab serve on 127.0.0.1"
head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/password"
"$dflab" serve --lab "$work/lab.sqlite" --bundle "$work/bundle" --listen 127.0.0.1:0 \
  --port-file "$work/port" --instructor-password-file "$work/password" \
  --access-log "$work/access.log" --max-downloads 64 >"$work/serve.out" 2>&1 &
server_pid=$!
for _ in $(seq 600); do
  [ -s "$work/port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.out" >&2; echo "bench_portal.sh: dflab serve exited" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/port" ] || { echo "bench_portal.sh: dflab serve wrote no port within 60 s" >&2; exit 1; }
port=$(cat "$work/port")

say "load: $participants participants for ${duration}s, $downloaders downloading $big at $rate/s each"
node "$here/scripts/bench/portal_load.mjs" --base "http://127.0.0.1:$port" --codes "$work/codes.csv" \
  --key "$pack/instructor/answer-key.json" --pid "$server_pid" --duration "$duration" \
  --downloaders "$downloaders" --download-file "$big" --download-rate "$rate" >"$work/portal.json"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
stored=$(sqlite3 "$work/lab.sqlite" 'SELECT count(*) FROM submissions')

say "the same kind of submissions with dflab lab submit, $cli_concurrency at a time"
"$dflab" lab init --key "$pack/instructor" --db "$work/cli.sqlite" >/dev/null
"$dflab" lab participants import "$work/people.csv" --db "$work/cli.sqlite" >/dev/null
node "$here/scripts/bench/cli_submit.mjs" --dflab "$dflab" --db "$work/cli.sqlite" \
  --key "$pack/instructor/answer-key.json" --concurrency "$cli_concurrency" >"$work/cli.json"
echo '{}' >"$work/cli_all.json"
if [ "${CLI_ALL:-0}" = 1 ]; then
  say "... and all $participants at once"
  "$dflab" lab init --key "$pack/instructor" --db "$work/cli_all.sqlite" >/dev/null
  "$dflab" lab participants import "$work/people.csv" --db "$work/cli_all.sqlite" >/dev/null
  node "$here/scripts/bench/cli_submit.mjs" --dflab "$dflab" --db "$work/cli_all.sqlite" \
    --key "$pack/instructor/answer-key.json" --concurrency "$participants" >"$work/cli_all.json"
fi

python3 - "$work/portal.json" "$work/cli.json" "$work/cli_all.json" "$stored" <<'EOF'
import json, sys
portal, cli, cli_all = (json.load(open(p)) for p in sys.argv[1:4])
stored = int(sys.argv[4])
mib = lambda kib: kib / 1024
rss = portal["rss_kib"]
def line(name, value, target=None, ok=None):
    mark = "" if ok is None else ("  ok" if ok else "  MISSED")
    print(f"  {name:<44} {value:>14}{'  (target ' + target + ')' if target else ''}{mark}")
print(f"\nportal: {portal['logged_in']}/{portal['participants']} participants logged in "
      f"({portal['login_seconds']:.1f} s; login p50 {portal['login']['p50_ms']} ms, p99 {portal['login']['p99_ms']} ms)")
sub, page = portal["submission"], portal["page_p99_ms"]
line("submissions (n)", sub["n"])
line("submission p50 ms", sub["p50_ms"])
line("submission p99 ms", sub["p99_ms"], "< 50", sub["p99_ms"] is not None and sub["p99_ms"] < 50)
line("hint unlock p99 ms", portal["hint"]["p99_ms"])
line("GET /api/v1/labs/LAB p99 ms", f"{portal['lab_json']['p99_ms']} (n {portal['lab_json']['n']}, 304: {portal['lab_json_not_modified']})")
line("GET /labs/LAB (HTML) p99 ms", f"{portal['lab_html']['p99_ms']} (n {portal['lab_html']['n']})")
line("page p99 ms (both)", page, "< 100", page < 100)
line("failed requests", portal["failed_requests"], "0", portal["failed_requests"] == 0)
if portal["failures"]:
    line("  failures", json.dumps(portal["failures"]))
line("downloads at once", f"{portal['downloads']} x {portal['download_file']}")
line("downloaded in all, MiB", f"{portal['download_mib']} in {portal['download_seconds']} s")
line("server RSS before / after logins, MiB", f"{mib(rss['before']):.0f} / {mib(rss['after_login']):.0f}")
line("server RSS peak during downloads, MiB", f"{mib(rss['peak_during_downloads']):.0f}", "< 200", mib(rss["peak_during_downloads"]) < 200)
line("server VmHWM (whole run), MiB", f"{mib(rss['hwm']):.0f}")
line("submissions in the record (portal)", stored)
print(f"\ndflab lab submit, one process per submission, {cli['concurrency']} at a time: "
      f"{cli['ok']}/{cli['submissions']} ok in {cli['seconds']:.1f} s" + (f", failures {cli['failures']}" if cli['failures'] else ""))
print(f"\n  {'submission latency':<24} {'portal':>10} {'dflab lab submit':>18} {'ratio':>8}")
for p in ("p50_ms", "p99_ms"):
    a, b = sub[p], cli[p]
    ratio = f"{b / a:.1f}x" if a and b else "-"
    print(f"  {p:<24} {a:>10} {b:>18} {ratio:>8}")
if cli_all:
    print(f"  {'all at once ' + p:<24} {'':>10} {cli_all['p99_ms']:>18}   ({cli_all['ok']}/{cli_all['submissions']} ok, p50 {cli_all['p50_ms']})")
EOF
