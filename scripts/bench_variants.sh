#!/usr/bin/env bash
# Benchmark: building a pack's variants for a whole room (issue: "Variants for 300 participants").
# Runs, in one run on this machine:
#  1. `pack build --variants N1 --jobs 1`: one process, as dflab built variants before --jobs;
#  2. the same with --jobs J (default: the number of cores), which must give the same bundles;
#  3. `--variants N` (default 300) with --jobs J: the room, time and memory (the largest process,
#     and the PSS of the whole process tree sampled every 0.2 s), with --stats' stage breakdown.
# Prints a Markdown report for docs/benchmarks.md. Absolute times are noisy on 2 cores; the ratio
# of 1 and 2 in one run is not.
#
# usage: scripts/bench_variants.sh [WORKDIR]   (DFLAB=path/to/dflab, DFLAB_BENCH_VARIANTS=300,
#        DFLAB_BENCH_SMALL_VARIANTS=20, DFLAB_BENCH_JOBS=$(nproc), DFLAB_BENCH_PACK=intro)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dflab=${DFLAB:-$here/build-release/tools/dflab}
work=${1:-/tmp/dflab-bench-variants}
variants=${DFLAB_BENCH_VARIANTS:-300}
small=${DFLAB_BENCH_SMALL_VARIANTS:-20}
jobs=${DFLAB_BENCH_JOBS:-$(nproc)}
pack=$here/exercises/packs/${DFLAB_BENCH_PACK:-intro}
[ -x "$dflab" ] || { echo "bench_variants.sh: no dflab at $dflab (build Release first)" >&2; exit 1; }
mkdir -p "$work"
times=$work/times
mkdir -p "$times"

# tree_pss PID: the proportional set size (KiB; shared pages divided among the processes that
# share them) summed over PID and all its descendants: the memory the build holds at once.
tree_pss() {
    local pid
    for pid in $(ps -e -o pid=,ppid= | awk -v root="$1" '
        { parent[$1] = $2 }
        END { for (p in parent) { q = p; while (q > 1 && q != root) q = parent[q]; if (q == root) print p } }'); do
        awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || true  # it may have ended
    done | awk '{ s += $1 } END { print s + 0 }'
}

# timed NAME OUTDIR ARGS...: pack build under GNU time, with the memory of its whole process tree
# (tree_pss) sampled while it runs; the stage breakdown (--stats) goes to $times/NAME.stats.
timed() {
    local name=$1 out=$2
    shift 2
    rm -rf "$out"
    /usr/bin/time -f '%e %U %S %M' -o "$times/$name" \
        "$dflab" pack build "$pack" -o "$out" --stats "$@" >/dev/null 2>"$times/$name.stats" &
    local pid=$! peak=0 sum
    while kill -0 "$pid" 2>/dev/null; do
        sum=$(tree_pss "$pid")
        [ "$sum" -gt "$peak" ] && peak=$sum
        sleep 0.2
    done
    wait "$pid" || { echo "bench_variants.sh: $name failed:" >&2; cat "$times/$name.stats" >&2; exit 1; }
    echo "$peak" > "$times/$name.total"
}
wall() { awk '{ printf "%.1f", $1 }' "$times/$1"; }
cpu() { awk '{ printf "%.1f", $2 + $3 }' "$times/$1"; }
rss() { awk '{ printf "%.0f", $4 / 1024 }' "$times/$1"; }
total() { awk '{ printf "%.0f", $1 / 1024 }' "$times/$1.total"; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

echo "building $small variants with 1 job, then $jobs jobs, then $variants variants ..." >&2
timed one "$work/one" --variants "$small" --jobs 1
timed many "$work/many" --variants "$small" --jobs "$jobs"
diff -r "$work/one" "$work/many" >/dev/null ||
    { echo "bench_variants.sh: --jobs $jobs gave other bundles than --jobs 1" >&2; exit 1; }
timed room "$work/room" --variants "$variants" --jobs "$jobs"
(cd "$work/room/participant" && sha256sum -c --quiet SHA256SUMS) ||
    { echo "bench_variants.sh: the room's bundle does not verify" >&2; exit 1; }

per_variant=$(calc "$(wall room) / $variants")
echo "## pack build: variants of $(basename "$pack") ($(nproc) cores, $("$dflab" --version))"
echo
echo "| Run | Wall (s) | CPU (s) | Largest process, max RSS (MiB) | Whole build at once, PSS (MiB) |"
echo "|---|---|---|---|---|"
echo "| $small variants, --jobs 1 | $(wall one) | $(cpu one) | $(rss one) | $(total one) |"
echo "| $small variants, --jobs $jobs (same bundles: diff -r) | $(wall many) | $(cpu many) | $(rss many) | $(total many) |"
echo "| $variants variants, --jobs $jobs | **$(wall room)** | $(cpu room) | $(rss room) | **$(total room)** |"
echo
echo "- --jobs $jobs against --jobs 1: **$(calc "$(wall one) / $(wall many)")x** faster."
echo "- $variants variants: $per_variant s a variant; target under 600 s: $(awk "BEGIN { print ($(wall room) < 600) ? \"met\" : \"NOT met\" }"); memory target under 500 MiB (the whole build at once): $(awk "BEGIN { print ($(total room) < 500) ? \"met\" : \"NOT met\" }")."
echo
echo "Where the time of the $variants-variant build went (\`--stats\`, seconds summed over jobs):"
echo
echo '```'
sed -n '/stage times/,$p' "$times/room.stats"
echo '```'
