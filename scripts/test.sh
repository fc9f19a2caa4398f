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
# The two runs are independent (each test process has its own THUVIEN_HOME, index and free ports) and
# mostly single-threaded: on 2 cores side by side they take the time of the longer one, not the sum.
# THUVIEN_TEST_SERIAL=1 runs them one after the other, printing as they go.
if [ "${THUVIEN_TEST_SERIAL:-0}" = 1 ]; then
  echo "== pytest on SQLite"
  run pytest -q "$@"; sqlite=$?
  echo "== pytest on PostgreSQL"
  bash scripts/with-postgres.sh "$UV" run --frozen pytest -q "$@"; pg=$?
else
  logs=$(mktemp -d /tmp/thuvien-test-logs.XXXXXX)
  echo "== pytest on SQLite and on PostgreSQL, side by side (logs follow when both have finished)"
  run pytest -q "$@" >"$logs/sqlite.log" 2>&1 & sqlite_pid=$!
  bash scripts/with-postgres.sh "$UV" run --frozen pytest -q "$@" >"$logs/pg.log" 2>&1 & pg_pid=$!
  wait "$sqlite_pid"; sqlite=$?
  wait "$pg_pid"; pg=$?
  echo "== pytest on SQLite"; cat "$logs/sqlite.log"
  echo "== pytest on PostgreSQL"; cat "$logs/pg.log"
  rm -rf "$logs"
fi
echo "== summary: lint/types/migrations $([ $fail = 0 ] && echo ok || echo FAILED), SQLite exit $sqlite, PostgreSQL exit $pg"
[ $fail = 0 ] && [ $sqlite = 0 ] && [ $pg = 0 ]
