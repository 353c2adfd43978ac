#!/usr/bin/env bash
# Benchmark: `dflab image build` of a 1 GiB ext4 image with 5,000 files from a recipe, against
# `mke2fs -d` of the same tree, side by side in one run; prints both times and the ratio.
# (dflab also writes every file's time stamps, checks the image with the engine and writes the
# truth manifest; mke2fs -d only copies the tree.)
#
# usage: scripts/bench_image.sh [WORKDIR]     (default /tmp/dflab-bench-image)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/dflab-bench-image}
dflab=${DFLAB:-$here/build/tools/dflab}
[ -x "$dflab" ] || bash "$here/scripts/setup.sh"
rm -rf "$work" && mkdir -p "$work/pack/tree" "$work/out"

# The tree (seeded) and a recipe that writes the same files as assets, each at its own time.
python3 - "$work/pack" <<'PY'
import os, random, sys
pack = sys.argv[1]
rng = random.Random(5000)
lines = ["name: bench", "seed: 1", "start: 2024-01-01T00:00:00Z", "disk:", "  size: 1280MiB", "  table: none",
         "  partitions:", "    - id: fs", "      filesystem: ext4", "      cluster_size: 4KiB", "actions:"]
folders = [f"/d{i:02d}" for i in range(50)]
for f in folders:
    os.makedirs(pack + "/tree" + f, exist_ok=True)
    lines.append(f"  - mkdir: {f}")
total = 0
for i in range(5000):
    size = rng.choice([rng.randint(1, 64 << 10)] * 8 + [rng.randint(64 << 10, 1 << 20)] * 2)
    if i % 500 == 0:
        size = 30 << 20
    path = f"{folders[i % 50]}/f{i:04d}.bin"
    with open(pack + "/tree" + path, "wb") as fh:
        fh.write(rng.randbytes(size))
    total += size
    lines.append(f"  - at: 2024-01-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z")
    lines.append(f"    write: {path}")
    lines.append(f"    asset: tree{path}")
open(pack + "/bench.yaml", "w").write("\n".join(lines) + "\n")
print(f"5000 files, {total / 2**20:.0f} MiB")
PY

measure() {  # LABEL COMMAND: wall seconds
    local start end
    start=$(date +%s.%N)
    bash -c "$2" >/dev/null
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.2f}')"
}
cat "$work"/pack/tree/*/* >/dev/null  # warm the page cache for both
mk=$(measure "mke2fs -d" "E2FSPROGS_FAKE_TIME=1704067200 mke2fs -q -t ext4 -b 4096 -d '$work/pack/tree' '$work/mke2fs.img' 1280M")
df=$(measure "dflab image build" "'$dflab' image build '$work/pack/bench.yaml' -o '$work/out'")
printf '%-20s %8s s\n' "mke2fs -d" "$mk" "dflab image build" "$df"
python3 -c "print(f'ratio: dflab image build takes {$df / $mk:.2f}x the time of mke2fs -d')"
