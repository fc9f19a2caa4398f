"""The PostgreSQL backup drill end to end (issue 12, item 7), run only when DATABASE_URL is PostgreSQL
(`bash scripts/with-postgres.sh uv run --frozen pytest thuvien/core/tests/test_backup_postgres.py`):
a fresh installation with the demo network and a small generated catalogue, `thuvien backup`, `thuvien
restore` into an empty database and an empty home, `thuvien backup --verify` reporting identical counts
and checksums, a backup of the restored installation with the same manifest, and the same searches
answered with the same results. The drill itself is bench/backup.py (which also times it)."""

from __future__ import annotations

import os

import pytest

from bench.backup import QUERIES, drill

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                       reason="needs DATABASE_URL pointing at PostgreSQL (scripts/with-postgres.sh)"),
]


def test_backup_restore_verify_on_postgresql(tmp_path):
    figures = drill(records=300, workdir=tmp_path)
    assert figures["engine"] == "postgresql"
    assert figures["verify_ok"] is True and figures["rows"] > 1000
    assert figures["checksums_identical"] is True
    assert figures["searches_identical"] == len(QUERIES) and figures["hit_sets_compared"] >= 2
    assert figures["search_hits"][0] != "0 kết quả"  # the demo's "truyen kieu" is found before and after
