#!/usr/bin/env bash
# Coverage-guided fuzzing of dflab's parsers with libFuzzer (docs/reliability.md).
# Usage: scripts/fuzz.sh [SECONDS] [HARNESS...]
#   SECONDS   how long each harness runs (default 60; the campaign in docs/reliability.md is 600)
#   HARNESS   image artifacts recipe pack question findings answers (default: all)
# Builds the harnesses with clang, ASan, UBSan and coverage (build-fuzz/), makes the seed corpora
# (small images of every file system and volume system, E01 and VHD/VMDK, the committed seeds, the
# shipped examples and packs, every input in tests/fuzz-regressions/), runs the harnesses side by
# side (one per core) and prints executions, coverage and findings per harness. Inputs that crash,
# hang, leak or exhaust memory are written to build-fuzz/findings/HARNESS/; once fixed, copy each
# into tests/fuzz-regressions/HARNESS/, which the test suite replays. Exits 1 when anything was
# found. The corpora grow across runs in build-fuzz/corpus/.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift
all=(image artifacts recipe pack question findings answers portal)
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=("${all[@]}")
for h in "${harnesses[@]}"; do
  [[ " ${all[*]} " == *" $h "* ]] || { echo "fuzz.sh: no harness named '$h' (${all[*]})" >&2; exit 2; }
done

bash "$here/scripts/setup.sh" --no-build
need=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

build=${DFLAB_FUZZ_BUILD_DIR:-$here/build-fuzz}
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DDFLAB_FUZZ=ON -DDFLAB_TESTS=OFF >/dev/null
targets=()
for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
# The portal harness serves a lab that tests/portal/make_lab.sh makes with the dflab command.
[[ " ${harnesses[*]} " == *" portal "* ]] && targets+=(dflab)
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

seeds=$build/seeds
rm -rf "$seeds"
mkdir -p "$seeds"/{image,artifacts,recipe,pack,question,findings,answers,portal}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Small images, so that mutations reach the structures (libFuzzer's inputs are capped below).
make_image_seeds() {
  local out=$seeds/image
  printf 'first file\n' >"$tmp/a.txt"
  printf 'second file, deleted\n' >"$tmp/b.txt"
  mkfs.fat --invariant -i 1234ABCD -n SEED -C "$tmp/fat12.img" 128 >/dev/null
  mmd -i "$tmp/fat12.img" ::/Docs
  mcopy -m -i "$tmp/fat12.img" "$tmp/a.txt" ::/Docs/a.txt
  mcopy -m -i "$tmp/fat12.img" "$tmp/b.txt" "::/A long file name.txt"
  mdel -i "$tmp/fat12.img" "::/A long file name.txt"
  cp "$tmp/fat12.img" "$out/fat12.img"
  mkdir -p "$tmp/root/dir"
  cp "$tmp/a.txt" "$tmp/root/dir/a.txt"
  ln -s dir/a.txt "$tmp/root/link"
  mke2fs -q -F -t ext4 -b 1024 -N 32 -O ^has_journal,^resize_inode -E root_owner=0:0,hash_seed=00000000-0000-0000-0000-000000000001 \
    -U 00000000-0000-0000-0000-000000000002 -d "$tmp/root" "$tmp/ext4.img" 256 >/dev/null
  cp "$tmp/ext4.img" "$out/ext4.img"
  truncate -s 2M "$tmp/ntfs.img"  # mkntfs needs more than 1 MiB
  mkntfs -F -Q -T -q -L SEED "$tmp/ntfs.img" >/dev/null 2>&1
  ntfscp -q -f "$tmp/ntfs.img" "$tmp/a.txt" /a.txt >/dev/null 2>&1 || true
  cp "$tmp/ntfs.img" "$out/ntfs.img"
  # An MBR and a GPT disk holding the FAT12 file system.
  truncate -s 256K "$tmp/mbr.img"
  printf 'label: dos\nlabel-id: 0x12345678\nstart=64, size=256, type=1\n' | sfdisk -q "$tmp/mbr.img" >/dev/null
  dd if="$tmp/fat12.img" of="$tmp/mbr.img" bs=512 seek=64 conv=notrunc status=none
  cp "$tmp/mbr.img" "$out/mbr.img"
  truncate -s 256K "$tmp/gpt.img"
  sgdisk -q -U 00000000-0000-0000-0000-000000000003 -n 1:40:295 -t 1:0700 \
    -u 1:00000000-0000-0000-0000-000000000004 "$tmp/gpt.img" >/dev/null
  dd if="$tmp/fat12.img" of="$tmp/gpt.img" bs=512 seek=40 conv=notrunc status=none
  cp "$tmp/gpt.img" "$out/gpt.img"
  # E01 of the MBR disk (libewf), and VHD and VMDK of the FAT12 file system (qemu-img).
  ewfacquire -q -u -t "$tmp/disk" -c none -S 1M -C case -D seed -E 1 -e examiner -N none \
    "$tmp/mbr.img" >/dev/null 2>&1
  cp "$tmp/disk.E01" "$out/disk.E01"
  qemu-img convert -q -f raw -O vpc "$tmp/fat12.img" "$out/fat12.vhd"
  qemu-img convert -q -f raw -O vmdk "$tmp/fat12.img" "$out/fat12.vmdk"
}
make_image_seeds

# The artifact decoders: the committed seeds, each the selector byte then a file's content.
cp "$here"/tests/fuzz/seeds/artifacts/* "$seeds/artifacts/"
# A phone's SMS database (decoder 8), made by the sqlite3 command as the seed it is.
phone_db=$(mktemp -d)
sqlite3 "$phone_db/mmssms.db" "CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, date INTEGER, date_sent INTEGER, type INTEGER, read INTEGER, body TEXT); INSERT INTO sms VALUES (1, 1, '+77010000001', 1744453050000, 1744453048000, 1, 1, 'hello');"
{ printf '\x08'; cat "$phone_db/mmssms.db"; } >"$seeds/artifacts/8-mmssms"
# Deleted rows left in freeblocks and free pages (decoder 10): secure_delete off, as on a phone.
sqlite3 "$phone_db/deleted.db" "PRAGMA secure_delete=OFF; CREATE TABLE messages (_id INTEGER PRIMARY KEY, key_remote_jid TEXT, data TEXT, timestamp INTEGER); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 120) INSERT INTO messages (key_remote_jid, data, timestamp) SELECT '7701555' || i || '@s.whatsapp.net', 'message ' || i || ' ' || printf('%040d', i * 7919), 1714550000000 + i FROM n; DELETE FROM messages WHERE _id % 3 = 0 OR _id BETWEEN 40 AND 90;"
{ printf '\x0a'; cat "$phone_db/deleted.db"; } >"$seeds/artifacts/10-deleted-rows"
rm -rf "$phone_db"
# Packs use the same file names (images/laptop.yaml, questions/01-computer-name.yaml): each seed
# is named after its pack as well.
cp "$here"/images/examples/*.yaml "$seeds/recipe/"
for pack in "$here"/exercises/packs/*/; do
  name=$(basename "$pack")
  cp "$pack/pack.yaml" "$seeds/pack/$name.yaml"
  for f in "$pack"images/*.yaml; do [ -e "$f" ] && cp "$f" "$seeds/recipe/$name-$(basename "$f")"; done
  for f in "$pack"questions/*.yaml; do cp "$f" "$seeds/question/$name-$(basename "$f")"; done
done
cp "$here"/tests/fuzz/seeds/findings/* "$seeds/findings/"
cp "$here"/tests/fuzz/seeds/answers/* "$seeds/answers/"
cp "$here"/tests/fuzz/seeds/portal/* "$seeds/portal/"
if [[ " ${harnesses[*]} " == *" portal "* ]]; then
  ASAN_OPTIONS=detect_leaks=0 bash "$here/tests/portal/make_lab.sh" "$build/tools/dflab" "$build/portal-lab"
  export DFLAB_FUZZ_PORTAL_LAB=$build/portal-lab
fi
for h in "${all[@]}"; do
  find "$here/tests/fuzz-regressions/$h" -type f ! -name README.md -exec cp {} "$seeds/$h/" \; 2>/dev/null || true
done

max_len() {
  case $1 in
    image) echo 2097152 ;;
    artifacts) echo 262144 ;;
    *) echo 65536 ;;
  esac
}

run_one() {
  local h=$1 corpus=$build/corpus/$1 found=$build/findings/$1 log=$build/logs/$1.log
  mkdir -p "$corpus" "$found" "$build/logs"
  rm -f "$found"/*
  # A harness that finds something stops; its log and the input tell what.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=0:suppressions=$here/tests/asan.supp \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions=$here/tests/lsan.supp:print_suppressions=0 \
    "$build/tests/fuzz/fuzz_$h" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2560 \
    -malloc_limit_mb=2048 -max_len="$(max_len "$h")" -print_final_stats=1 -close_fd_mask=3 \
    -artifact_prefix="$found/" "$corpus" "$seeds/$h" >"$log" 2>&1 || true
}

jobs=${DFLAB_FUZZ_JOBS:-$(nproc)}
for h in "${harnesses[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  echo "fuzz.sh: $h for ${seconds}s" >&2
  run_one "$h" &
done
wait

status=0
printf '%-10s %8s %12s %8s %8s %8s %8s %s\n' harness seconds executions exec/s edges features corpus findings
for h in "${harnesses[@]}"; do
  log=$build/logs/$h.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  edges=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  features=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  found=$(find "$build/findings/$h" -type f | wc -l)
  printf '%-10s %8s %12s %8s %8s %8s %8s %s\n' "$h" "$seconds" "${execs:-?}" "${rate:-?}" \
    "${edges:-?}" "${features:-?}" "${corpus:-?}" "$found"
  if [ "$found" -gt 0 ] || [ -z "$execs" ]; then
    status=1
    find "$build/findings/$h" -type f -printf '  %p\n'
    grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|terminate called|deadly signal' "$log" \
      | sed 's/^/  /' || true
  fi
done
exit $status
