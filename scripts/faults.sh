#!/usr/bin/env bash
# The fault campaign of docs/reliability.md, as anyone can rerun it: dflab against damaged input,
# judged by independent tools (TSK's fls, libewf's ewfverify, sqlite3).
#
#   scripts/faults.sh [MUTANTS_PER_IMAGE]        (default 20)
#
# 1. Image mutants: MUTANTS_PER_IMAGE mutants of each fixture (fat16, ext4, ntfs, mbr, gpt images
#    and the disk.E01 set): bytes flipped in the first 64 KiB and in the file system's metadata,
#    zeroed sectors, truncation, a boot sector, superblock, partition table or EWF section
#    overwritten, a field set to an extreme value. Each goes through `dflab ls -r`,
#    `dflab ls -r --json`, `dflab analyze` and `fls -r` (`-o SECTOR` per file system). Checks: no
#    crash (a signal or a sanitizer report), no hang, complete JSON Lines, no half-written case,
#    every refusal one line, and a file system fls reads where dflab refuses is found by
#    `dflab partitions --scan`.
# 2. E01 matrix: the disk.E01 set with one damage each, `ewfverify -q` against `dflab verify` and
#    `dflab info`. Checks: the verdicts agree, never SUCCESS where ewfverify fails, an EVF file is
#    never called raw.
# 3. Lab record: concurrent `dflab lab submit` under kill -9, then a full disk (a file size limit;
#    a small tmpfs when run as root). Checks: nothing acknowledged is lost, integrity_check, the
#    disk named as the reason.
#
# Each part prints a table and a verdict; the exit status is 1 when any check failed.
# Mutations come from python3's random.Random with a fixed seed: the same seed and fixtures give
# the same mutants (the NTFS fixture is not byte-reproducible, see tests/fixtures/make.sh).
#
# Environment:
#   DFLAB=PATH        the dflab to test (default build-release/tools/dflab, then build-test/, build/)
#   FIXTURES=DIR      the fixture images (default BUILD/tests/fixtures of that dflab, else made with
#                     tests/fixtures/make.sh in WORK/fixtures)
#   WORK=DIR          scratch space (default /tmp/dflab-faults); kept afterwards: mutants.tsv lists
#                     every mutant and its outcomes, kept/ holds the mutants of failed checks
#   FAULTS_SEED=TEXT  the seed (default dflab-faults)
#   FAULTS_TIMEOUT=S  seconds one run may take before it counts as a hang (default 120)
#   FAULTS_JOBS=N     mutants checked at once (default 2)
#   FAULTS_PARTS="1 2 3"  which parts to run
#   FAULTS_IMAGES="fat16.img ..."  which fixtures part 1 mutates (default all six)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mutants=${1:-20}
work=${WORK:-/tmp/dflab-faults}
seed=${FAULTS_SEED:-dflab-faults}
timeout=${FAULTS_TIMEOUT:-120}
jobs=${FAULTS_JOBS:-2}
parts=${FAULTS_PARTS:-1 2 3}

if [ -z "${DFLAB:-}" ]; then
    for b in build-release build-test build; do
        if [ -x "$here/$b/tools/dflab" ]; then DFLAB=$here/$b/tools/dflab; break; fi
    done
fi
if [ -z "${DFLAB:-}" ] || [ ! -x "$DFLAB" ]; then
    echo "faults.sh: no dflab binary; build one or set DFLAB=path/to/dflab" >&2
    exit 2
fi
DFLAB=$(readlink -f "$DFLAB")
for tool in fls ewfverify sqlite3 python3; do
    command -v "$tool" >/dev/null || { echo "faults.sh: $tool is missing (scripts/setup.sh installs it)" >&2; exit 2; }
done

# As scripts/test.sh runs the sanitizer build (no effect on other builds): leaks count as findings,
# except the third-party ones tests/lsan.supp names.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1:suppressions=$here/tests/asan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/tests/lsan.supp:print_suppressions=0}

mkdir -p "$work"
if [ -z "${FIXTURES:-}" ]; then
    FIXTURES=$(dirname "$(dirname "$DFLAB")")/tests/fixtures
    if [ ! -f "$FIXTURES/disk.E01" ]; then
        FIXTURES=$work/fixtures
        bash "$here/tests/fixtures/make.sh" "$FIXTURES"
    fi
fi

echo "dflab:    $DFLAB ($("$DFLAB" --version 2>&1 | head -1))"
echo "fixtures: $FIXTURES"
echo "work:     $work"
echo "seed:     $seed; $mutants mutants per image"
echo

faults_py() { python3 "$here/scripts/faults/$1" "${@:2}"; }
failed=0
for part in $parts; do
    case $part in
    1) faults_py image_mutants.py --dflab "$DFLAB" --fixtures "$FIXTURES" --work "$work/part1" \
           --mutants "$mutants" --seed "$seed" --timeout "$timeout" --jobs "$jobs" || failed=1 ;;
    2) faults_py e01_matrix.py --dflab "$DFLAB" --fixtures "$FIXTURES" --work "$work/part2" \
           --timeout "$timeout" || failed=1 ;;
    3) faults_py lab_record.py --dflab "$DFLAB" --pack "$here/exercises/packs/intro" --work "$work/part3" \
           --seed "$seed" --submissions $(( mutants * 5 )) --timeout "$timeout" || failed=1 ;;
    *) echo "faults.sh: unknown part $part" >&2; exit 2 ;;
    esac
    echo
done

if [ $failed -ne 0 ]; then
    echo "faults.sh: FAIL (see the verdicts above)"
    exit 1
fi
echo "faults.sh: every check passed"
