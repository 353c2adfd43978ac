#!/usr/bin/env bash
# The merge Job (pack-merge-job.yaml): every shard in SHARDS_DIR into the bundles in OUT.
set -euo pipefail
: "${PACK:?}" "${SHARDS_DIR:?}" "${OUT:?}"
dflab=${DFLAB:-dflab}
exec "$dflab" pack merge "$PACK" "$SHARDS_DIR"/shard-* -o "$OUT" --force
