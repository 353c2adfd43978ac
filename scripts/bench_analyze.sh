#!/usr/bin/env bash
# Benchmark: `dflab analyze` (MD5 + SHA-1 + SHA-256 + file type + YARA over every file and over
# unallocated space) against the TSK command-line pipeline a user would otherwise script:
# tsk_recover -e, then md5sum, sha256sum and yara -r over the recovered files.
# Both run side by side in one run on the same generated ext4 image (>= 1 GiB, >= 6,000 files of
# mixed sizes and times, some deleted); prints wall times, the ratio and dflab's peak memory.
#
# usage: scripts/bench_analyze.sh [WORKDIR]     (default /tmp/dflab-bench; reused between runs)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/dflab-bench}
dflab=${DFLAB:-$here/build/tools/dflab}
rules=$here/scripts/bench/rules.yar
[ -x "$dflab" ] || bash "$here/scripts/setup.sh"
mkdir -p "$work"
image=$work/bench.img

if [ ! -f "$image" ]; then
    echo "generating the file tree and the image (once) ..."
    rm -rf "$work/tree"
    python3 "$here/scripts/bench/make_tree.py" "$work/tree" --files 6500 --seed 2023
    E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -t ext4 -b 4096 -E hash_seed=6e3c7e2a-bd0c-4d4e-8a57-2b0e0a1a5e01 \
        -U 0c7b1c1e-5f55-4b8a-9d0d-3e7b6c1f2a10 -d "$work/tree" "$image.tmp" 1536M
    # Delete every 50th file so there is recoverable deleted content, as in real evidence.
    (cd "$work/tree" && find . -type f | sort | awk 'NR % 50 == 0 { sub(/^\./, ""); print "rm " $0 }') \
        > "$work/delete.cmds"
    debugfs -w -f "$work/delete.cmds" "$image.tmp" >/dev/null 2>&1
    mv "$image.tmp" "$image"
    rm -rf "$work/tree"
fi

files=$(fls -r -p "$image" | grep -c '^r/r')
size=$(stat -c %s "$image")
echo "image: $image, $((size / 1048576)) MiB, $files regular files (fls)"
cat "$image" >/dev/null  # warm the page cache equally for both

# measure LABEL COMMAND...: wall seconds and peak resident memory of the command and its children
measure() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
label, cmd = sys.argv[1], sys.argv[2]
t = time.monotonic()
subprocess.run(["bash", "-c", cmd], check=True)
wall = time.monotonic() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{label}\t{wall:.2f}\t{rss:.0f}")
PY
}

rm -rf "$work/recovered" "$work/case.sqlite"
pipeline="tsk_recover -e '$image' '$work/recovered' >/dev/null && cd '$work/recovered' &&
  find . -type f -print0 | xargs -0 md5sum > ../md5.txt &&
  find . -type f -print0 | xargs -0 sha256sum > ../sha256.txt &&
  yara -r '$rules' . > ../yara.txt"
tsk=$(measure "tsk pipeline" "$pipeline")
dfl=$(measure "dflab analyze" "'$dflab' analyze '$image' -r '$rules' -o '$work/case.sqlite' --force >/dev/null")

tsk_s=$(cut -f2 <<<"$tsk"); dfl_s=$(cut -f2 <<<"$dfl"); dfl_mb=$(cut -f3 <<<"$dfl"); tsk_mb=$(cut -f3 <<<"$tsk")
hashed=$("$dflab" query "$work/case.sqlite" "SELECT count(*) FROM files WHERE sha256 IS NOT NULL" | tail -1)
matches=$("$dflab" query "$work/case.sqlite" "SELECT count(*) FROM yara_matches" | tail -1)
echo
printf '%-16s %10s %14s\n' "" "wall (s)" "peak RSS (MiB)"
printf '%-16s %10s %14s\n' "tsk pipeline" "$tsk_s" "$tsk_mb"
printf '%-16s %10s %14s\n' "dflab analyze" "$dfl_s" "$dfl_mb"
echo "dflab hashed $hashed files, $matches YARA matches (incl. unallocated); pipeline yara lines: $(wc -l < "$work/yara.txt")"
python3 -c "print(f'ratio: dflab is {$tsk_s / $dfl_s:.2f}x faster than the TSK pipeline; peak memory {$dfl_mb:.0f} MiB')"
rm -rf "$work/recovered"
