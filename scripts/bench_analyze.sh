#!/usr/bin/env bash
# Benchmark: `dflab analyze` (MD5 + SHA-1 + SHA-256 + file type + YARA over every file and over
# unallocated space) against the TSK command-line pipeline a user would otherwise script:
# tsk_recover -e, then md5sum, sha256sum and yara -r over the recovered files. All in one run,
# side by side, with a warm page cache, on three generated ext4 images:
#
#  1. mixed: >= 1 GiB, 6,500 files of mixed sizes and times, some deleted. Besides the pipeline,
#     dflab is compared with the two-core compute bound: the single-thread CPU time of
#     `openssl dgst` MD5, SHA-1 and SHA-256 (one pass each: `openssl dgst` computes one digest per
#     run) plus `yara -p 1 -r` over the recovered files, divided by two (this machine's cores);
#     the bound has no unallocated space in it, so dflab is timed for it once more with
#     --no-unallocated (the same work), beside the full analysis.
#  2. small: N tiny files (default 1,000,000) made with `mke2fs -d -O inline_data`: per-file cost.
#  3. the same at 10,000 files, to show that dflab's peak memory does not grow with the file count.
#
# Images are built once and cached by file count (WORKDIR/cache). Wall and CPU times and peak
# memory come from GNU time (/usr/bin/time: %M is what `-v` prints as "Maximum resident set
# size", the largest of the process and its waited-for children). The end prints a Markdown table
# for docs/benchmarks.md.
#
# usage: scripts/bench_analyze.sh [WORKDIR]     (default /tmp/dflab-bench; images reused)
# environment:
#   DFLAB=PATH                   the dflab to time (default: a Release build in build-release/,
#                                configured and brought up to date by this script)
#   DFLAB_BENCH_BUILD=DIR        that build folder (default build-release)
#   DFLAB_BENCH_MIXED_FILES=N    files in the mixed image (default 6500)
#   DFLAB_BENCH_SMALL_FILES=N    files in the small-files image (default 1000000)
#   DFLAB_BENCH_SMALL_REF=N      files in the reference small-files image (default 10000)
#   DFLAB_BENCH_CACHE=DIR        where built images are kept (default WORKDIR/cache)
# A quick check of the script itself: DFLAB_BENCH_MIXED_FILES=300 DFLAB_BENCH_SMALL_FILES=3000
# DFLAB_BENCH_SMALL_REF=1000 scripts/bench_analyze.sh /tmp/dflab-bench-small
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/dflab-bench}
cache=${DFLAB_BENCH_CACHE:-$work/cache}
mixed_files=${DFLAB_BENCH_MIXED_FILES:-6500}
small_files=${DFLAB_BENCH_SMALL_FILES:-1000000}
small_ref=${DFLAB_BENCH_SMALL_REF:-10000}
rules=$here/scripts/bench/rules.yar
times=$work/times  # one file per timed step: wall user sys max-RSS-KiB
started=$SECONDS

# --- tools and the dflab binary --------------------------------------------------------------

need_tools() {
    local tool missing=0
    for tool in tsk_recover fls icat yara openssl md5sum sha256sum mke2fs debugfs python3 /usr/bin/time; do
        command -v "$tool" >/dev/null || missing=1
    done
    [ "$missing" -eq 0 ] || bash "$here/scripts/setup.sh" --no-build
}

# The binary's build type and sanitizers, read from the CMakeCache.txt of the build it belongs to.
describe_build() {
    local cache_file
    cache_file=$(dirname "$(dirname "$1")")/CMakeCache.txt
    if [ ! -f "$cache_file" ]; then
        echo "build type unknown (no $cache_file)"
        return
    fi
    local type sanitize
    type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$cache_file")
    sanitize=$(sed -n 's/^DFLAB_SANITIZE:BOOL=//p' "$cache_file")
    echo "${type:-no build type}, sanitizers ${sanitize:-OFF}"
}

# Sets $dflab: $DFLAB as given, else a Release build of the dflab target in its own folder (not
# build/, which holds the developer's RelWithDebInfo or sanitizer build).
pick_dflab() {
    if [ -n "${DFLAB:-}" ]; then
        dflab=$DFLAB
    else
        local build=${DFLAB_BENCH_BUILD:-$here/build-release}
        echo "building dflab Release in $build (the first time takes long) ..."
        cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDFLAB_TESTS=OFF >/dev/null
        ninja -C "$build" dflab >/dev/null
        dflab=$build/tools/dflab
    fi
    [ -x "$dflab" ] || { echo "bench_analyze.sh: no dflab at $dflab" >&2; exit 1; }
    dflab_build=$(describe_build "$dflab")
    echo "dflab: $dflab ($dflab_build)"
    case $dflab_build in
        Release,*OFF) ;;
        RelWithDebInfo,*OFF) echo "note: RelWithDebInfo (-O2 -g), not the Release build the figures are for" ;;
        *) echo "WARNING: not a Release build without sanitizers: the times below do not count" ;;
    esac
}

# --- images ----------------------------------------------------------------------------------

# Fixed UUID, hash seed and time: the same file count gives the same image. Its output (even with
# -q it says "Creating regular file") goes to stderr: the image functions print only the path.
mke2fs_fixed() {
    E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -t ext4 -b 4096 -I 256 \
        -E hash_seed=6e3c7e2a-bd0c-4d4e-8a57-2b0e0a1a5e01 -U 0c7b1c1e-5f55-4b8a-9d0d-3e7b6c1f2a10 "$@" >&2
}

# mixed_image FILES: prints the path of the cached mixed image, building it the first time.
# 6,500 files fill 1.1 GiB of a 1.5 GiB file system; other counts get a proportional size.
mixed_image() {
    local files=$1 image=$cache/mixed-$1.img tree=$work/tree
    # Earlier versions of this script kept the (same) default image as WORKDIR/bench.img.
    if [ "$files" = 6500 ] && [ -f "$work/bench.img" ] && [ ! -f "$image" ]; then
        mv "$work/bench.img" "$image"
    fi
    if [ ! -f "$image" ]; then
        echo "generating the mixed image of $files files (once) ..." >&2
        rm -rf "$tree"
        python3 "$here/scripts/bench/make_tree.py" "$tree" --files "$files" --seed 2023 >&2
        mke2fs_fixed -d "$tree" "$image.tmp" "$(( files * 1536 / 6500 > 128 ? files * 1536 / 6500 : 128 ))M"
        # Delete every 50th file so there is recoverable deleted content, as in real evidence.
        (cd "$tree" && find . -type f | sort | awk 'NR % 50 == 0 { sub(/^\./, ""); print "rm " $0 }') \
            > "$work/delete.cmds"
        debugfs -w -f "$work/delete.cmds" "$image.tmp" >/dev/null 2>&1
        mv "$image.tmp" "$image"
        rm -rf "$tree"
    fi
    echo "$image"
}

# small_image FILES: prints the path of the cached small-files image, building it the first time.
# The files (24-100 bytes) live in their inodes (inline_data), as ext4 keeps them when the feature
# is on, so the image is mostly inode tables: about 400 bytes per file plus 64 MiB of room.
small_image() {
    local files=$1 image=$cache/small-$1.img tree=$work/small-tree
    if [ ! -f "$image" ]; then
        echo "generating the image of $files small files (once) ..." >&2
        rm -rf "$tree"
        python3 "$here/scripts/bench/make_small_tree.py" "$tree" --files "$files" >&2
        mke2fs_fixed -O inline_data -N $(( files + files / 50 + 64 )) -d "$tree" "$image.tmp" \
            "$(( 65536 + files * 400 / 1024 ))K"
        check_inline_sample "$image.tmp" "$tree"
        mv "$image.tmp" "$image"
        rm -rf "$tree"
    fi
    echo "$image"
}

# TSK reads inline data (4.11 does, also past the 60 bytes of i_block); make sure, on the first,
# middle and last file, that icat gives back what was written, before anything is timed on it.
check_inline_sample() {
    local image=$1 tree=$2 path inode
    while read -r path; do
        inode=$(ifind -n "/$path" "$image")
        icat "$image" "$inode" | cmp -s - "$tree/$path" ||
            { echo "bench_analyze.sh: icat of $path in $image differs from the file written" >&2; exit 1; }
    done < <(cd "$tree" && find . -type f | sed 's|^\./||' | sort | awk '{ a[NR] = $0 } END { print a[1]; print a[int((NR + 1) / 2)]; print a[NR] }')
}

# --- timing ----------------------------------------------------------------------------------

# timed NAME COMMAND: runs the shell command under GNU time into $times/NAME.
timed() {
    /usr/bin/time -f '%e %U %S %M' -o "$times/$1" bash -c "$2" ||
        { echo "bench_analyze.sh: $1 failed ($(head -1 "$times/$1")): $2" >&2; exit 1; }
}
wall() { awk '{ printf "%.2f", $1 }' "$times/$1"; }
cpu() { awk '{ printf "%.2f", $2 + $3 }' "$times/$1"; }
rss_mib() { awk '{ printf "%.0f", $4 / 1024 }' "$times/$1"; }
# calc EXPRESSION: awk arithmetic, two decimals
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

# The pipeline: recover allocated and deleted files, then hash and scan them, one tool at a time.
pipeline() {
    local image=$1
    rm -rf "$work/recovered"
    timed "$2" "tsk_recover -e '$image' '$work/recovered' >/dev/null && cd '$work/recovered' &&
        find . -type f -print0 | xargs -0 -r md5sum > ../md5.txt &&
        find . -type f -print0 | xargs -0 -r sha256sum > ../sha256.txt &&
        yara -r '$rules' . > ../yara.txt"
}

# The compute bound over the recovered files: each digest and YARA on one thread, CPU time.
compute_bound() {
    (cd "$work/recovered" && find . -type f -print0 > ../recovered.list)
    local digest
    for digest in md5 sha1 sha256; do
        timed "bound-$digest" "cd '$work/recovered' && xargs -0 -r -a ../recovered.list openssl dgst -$digest >/dev/null"
    done
    timed bound-yara "yara -p 1 -r '$rules' '$work/recovered' >/dev/null"
}

analyze() {
    rm -f "$work/case.sqlite"
    timed "$2" "'$dflab' analyze '$1' -r '$rules' -o '$work/case.sqlite' --force ${3:-} >/dev/null"
}

# query SQL: one value from the case just written
query() { "$dflab" query "$work/case.sqlite" "$1" | tail -1; }

# settle IMAGE: before a timed step, write out what earlier steps left dirty (a million recovered
# files, removed again, would otherwise be written back while dflab runs) and warm the page cache
# with the image, equally for both.
settle() {
    sync
    cat "$1" >/dev/null
}

# run_image KEY IMAGE [bound]: the pipeline and dflab on one image, and the counts that show both
# saw the same files.
run_image() {
    local key=$1 image=$2 files recovered
    files=$(fls -r -p "$image" | grep -c '^r/r')
    echo
    echo "== $key: $image, $(( $(stat -c %s "$image") / 1048576 )) MiB, $files regular files (fls)"
    echo "$files" > "$times/$key-files"
    settle "$image"
    pipeline "$image" "$key-tsk"
    recovered=$(find "$work/recovered" -type f | wc -l)
    [ "${3:-}" = bound ] && compute_bound
    rm -rf "$work/recovered"
    settle "$image"
    analyze "$image" "$key-dflab"
    if [ "${3:-}" = bound ]; then
        # The bound covers the allocated and deleted files only: dflab once more without
        # unallocated space (--no-unallocated), the same work as the bound.
        settle "$image"
        analyze "$image" "$key-dflab-files" --no-unallocated
    fi
    echo "pipeline: $(wall "$key-tsk") s, recovered $recovered files, $(wc -l < "$work/yara.txt") yara lines"
    echo "dflab:    $(wall "$key-dflab") s, $(rss_mib "$key-dflab") MiB peak," \
        "hashed $(query "SELECT count(*) FROM files WHERE sha256 IS NOT NULL") files," \
        "$(query "SELECT count(*) FROM yara_matches") YARA matches (incl. unallocated)"
}

# --- the report ------------------------------------------------------------------------------

# verdict VALUE OP TARGET: "met" or "not met"
verdict() { awk "BEGIN { print ($1 $2 $3) ? \"met\" : \"**not met**\" }"; }

# row KEY LABEL TARGET: one line of the table
row() {
    local key=$1 ratio
    ratio=$(calc "$(wall "$key-tsk") / $(wall "$key-dflab")")
    printf '| %s | %s | %s s | %s s | **%sx**%s | %s MiB |\n' "$2" "$(cat "$times/$key-files")" \
        "$(wall "$key-tsk")" "$(wall "$key-dflab")" "$ratio" "${3:+ $3}" "$(rss_mib "$key-dflab")"
}

report() {
    local bound bound_ratio files_ratio mixed_ratio small_ratio rss_ref rss_n
    bound=$(calc "($(cpu bound-md5) + $(cpu bound-sha1) + $(cpu bound-sha256) + $(cpu bound-yara)) / 2")
    bound_ratio=$(calc "$(wall mixed-dflab) / $bound")
    files_ratio=$(calc "$(wall mixed-dflab-files) / $bound")
    mixed_ratio=$(calc "$(wall mixed-tsk) / $(wall mixed-dflab)")
    small_ratio=$(calc "$(wall small-tsk) / $(wall small-dflab)")
    rss_ref=$(rss_mib ref-dflab)
    rss_n=$(rss_mib small-dflab)
    echo
    echo "Results ($(date -u +%Y-%m-%d), $(nproc) cores, dflab $dflab_build, run took $(( SECONDS - started )) s):"
    echo
    echo "| image | files (fls) | TSK pipeline | \`dflab analyze\` | pipeline / dflab | dflab peak memory |"
    echo "|---|---|---|---|---|---|"
    row mixed "mixed sizes" "(target ≥ 2.5x: $(verdict "$mixed_ratio" '>=' 2.5))"
    row ref "small files" ""
    row small "small files" "(target ≥ 8x: $(verdict "$small_ratio" '>=' 8))"
    echo
    echo "| two-core compute bound, mixed image (single thread, CPU time) | seconds |"
    echo "|---|---|"
    echo "| \`openssl dgst -md5\` over the recovered files | $(cpu bound-md5) |"
    echo "| \`openssl dgst -sha1\` | $(cpu bound-sha1) |"
    echo "| \`openssl dgst -sha256\` | $(cpu bound-sha256) |"
    echo "| \`yara -p 1 -r\` | $(cpu bound-yara) |"
    echo "| bound: the sum over 2 cores | $bound |"
    echo "| \`dflab analyze\` wall time / bound (files and unallocated space) | ${bound_ratio}x |"
    echo "| \`dflab analyze --no-unallocated\` ($(wall mixed-dflab-files) s) / bound: the same work | **${files_ratio}x** (target ≤ 1.3x: $(verdict "$files_ratio" '<=' 1.3)) |"
    echo
    echo "| dflab peak memory (max RSS) | $(cat "$times/ref-files") files | $(cat "$times/small-files") files | ratio |"
    echo "|---|---|---|---|"
    echo "| small-files image | $rss_ref MiB | $rss_n MiB | $(calc "$rss_n / $rss_ref")x" \
        "(target < 300 MiB: $(verdict "$rss_n" '<' 300), about the same at both sizes) |"
}

need_tools
mkdir -p "$work" "$cache" "$times"
pick_dflab
echo "$(nproc) cores; dflab uses one worker per core"
run_image mixed "$(mixed_image "$mixed_files")" bound
run_image ref "$(small_image "$small_ref")"
run_image small "$(small_image "$small_files")"
report
