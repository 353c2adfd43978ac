#!/usr/bin/env bash
# Runs the Kubernetes example on this machine, without a cluster: each pod of the Indexed Job
# one after the other with the JOB_COMPLETION_INDEX Kubernetes would set, then the merge Job.
#
# usage: scripts/cluster/kubernetes/run-locally.sh PACK VARIANTS SHARDS OUT   (DFLAB=path/to/dflab)
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 PACK VARIANTS SHARDS OUT" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
export PACK=$1 VARIANTS=$2 SHARDS=$3 OUT=$4
export SHARDS_DIR=$OUT.shards
rm -rf "$SHARDS_DIR"
for ((index = 0; index < SHARDS; index++)); do
    JOB_COMPLETION_INDEX=$index bash "$here/shard.sh"
done
bash "$here/merge.sh"
rm -rf "$SHARDS_DIR"
