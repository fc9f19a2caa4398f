#!/usr/bin/env bash
# The whole check: lint, types, migrations, then the test suite on SQLite and on PostgreSQL.
set -uo pipefail
cd "$(dirname "$0")/.."
UV=$(command -v uv || echo .tools/bin/uv)
run() { "$UV" run --frozen "$@"; }
fail=0
echo "== ruff";        run ruff check . || fail=1
echo "== mypy";        run mypy thuvien || fail=1
echo "== migrations";  run thuvien makemigrations --check --dry-run >/dev/null || { echo "missing migrations"; fail=1; }
echo "== pytest on SQLite"
run pytest -q "$@"; sqlite=$?
echo "== pytest on PostgreSQL"
bash scripts/with-postgres.sh "$UV" run --frozen pytest -q "$@"; pg=$?
echo "== summary: lint/types/migrations $([ $fail = 0 ] && echo ok || echo FAILED), SQLite exit $sqlite, PostgreSQL exit $pg"
[ $fail = 0 ] && [ $sqlite = 0 ] && [ $pg = 0 ]
