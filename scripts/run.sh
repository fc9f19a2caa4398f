#!/usr/bin/env bash
# Migrate, load the demo when the database is empty, then start every server (Ctrl-C stops them all).
set -euo pipefail
cd "$(dirname "$0")/.."
UV=$(command -v uv || echo .tools/bin/uv)
"$UV" run --frozen thuvien migrate --no-input -v 0
# The demo leaves the search index to the indexer `serve` starts (it would otherwise build one of its own).
THUVIEN_INDEX_WRITER=indexer "$UV" run --frozen thuvien demo --if-empty -v 0
exec "$UV" run --frozen thuvien serve "$@"
