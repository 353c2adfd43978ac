#!/usr/bin/env bash
# Runs the Slurm example on this machine, without Slurm: each array task one after the other
# with the variables Slurm would set, then the merge. For trying the scripts before a cluster.
#
# usage: scripts/cluster/slurm/run-locally.sh PACK VARIANTS SHARDS OUT   (DFLAB=path/to/dflab)
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 PACK VARIANTS SHARDS OUT" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
export PACK=$1 VARIANTS=$2 OUT=$4
export SHARDS_DIR=$OUT.shards SLURM_ARRAY_TASK_COUNT=$3 SLURM_CPUS_PER_TASK=1
rm -rf "$SHARDS_DIR"
for ((task = 0; task < SLURM_ARRAY_TASK_COUNT; task++)); do
    SLURM_ARRAY_TASK_ID=$task bash "$here/pack-build.sbatch"
done
bash "$here/pack-merge.sbatch"
rm -rf "$SHARDS_DIR"
