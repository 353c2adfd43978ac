#!/usr/bin/env bash
# A pod of the Indexed Job (pack-build-job.yaml): builds shard JOB_COMPLETION_INDEX of SHARDS.
set -euo pipefail
: "${PACK:?}" "${VARIANTS:?}" "${SHARDS:?}" "${SHARDS_DIR:?}"
: "${JOB_COMPLETION_INDEX:?run in an Indexed Job (or through run-locally.sh)}"
dflab=${DFLAB:-dflab}
mkdir -p "$SHARDS_DIR"
exec "$dflab" pack build "$PACK" --variants "$VARIANTS" --shard "$JOB_COMPLETION_INDEX/$SHARDS" \
    --jobs "$(nproc)" -o "$SHARDS_DIR/shard-$JOB_COMPLETION_INDEX" --force
