"""The kill -9 test: the real `thuvien import_marc` in a subprocess, killed half way, started
again: every good record ends up stored exactly once (with its items and outbox entry)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
N = 6000


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(THUVIEN_HOME=str(home), DJANGO_SETTINGS_MODULE="thuvien.config.base", PYTHONPATH=str(REPO))
    return env


def _thuvien(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "thuvien", *args], env=_env(home), cwd=REPO, capture_output=True,
                          text=True, timeout=300, check=True)


def _query(db: Path, sql: str) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=20)
    try:
        return con.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:  # table not there yet
        return 0
    finally:
        con.close()


@pytest.mark.slow
def test_import_killed_with_sigkill_resumes_and_stores_each_record_once(tmp_path):
    sys.path.insert(0, str(REPO))
    from bench.make_catalogue import generate

    home = tmp_path / "home"
    home.mkdir()
    data = generate(N, seed=7, libraries=["K"])
    marc = tmp_path / "catalogue.mrc"
    marc.write_bytes(data)
    from thuvien.catalog.marc import iter_records
    items_in_file = sum(len(r.record.get_fields("952")) for r in iter_records(marc))
    _thuvien(home, "migrate", "-v0")
    _thuvien(home, "shell", "-c", "from thuvien.core.models import UnitKind; from thuvien.core.services import "
             "unit_create; from thuvien.core.demo import system_user; unit_create(actor=system_user(), code='K', "
             "name='K', kind=UnitKind.objects.get(code='provincial_library'), parent=None)")
    db = home / "thuvien.sqlite3"
    cmd = [sys.executable, "-m", "thuvien", "import_marc", str(marc), "--library", "K", "--batch-size", "100"]
    proc = subprocess.Popen(cmd, env=_env(home), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _query(db, "SELECT COALESCE(MAX(records_read), 0) FROM catalog_importjob") < 1000:
        assert proc.poll() is None, "the import finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    done_before = _query(db, "SELECT records_read FROM catalog_importjob")
    stored_before = _query(db, "SELECT COUNT(*) FROM catalog_bibrecord")
    assert 1000 <= done_before < N and stored_before == done_before  # the checkpoint matches what is stored

    # the killed run's worker batch files are still there (with a worker: one per spare core); resuming removes them
    from thuvien.catalog.services import default_workers
    left = [p.name.startswith("import-job-1-") for p in (home / "tmp").iterdir()] if (home / "tmp").exists() else []
    assert left == ([True] if default_workers() else [])
    again = subprocess.run(cmd, env=_env(home), cwd=REPO, capture_output=True, text=True, timeout=300, check=True)
    assert f"resuming job 1 after record {done_before}" in again.stderr
    # the summary is the job's: both runs together imported every record once
    assert again.stdout.strip().splitlines()[-1] == f"imported {N}, updated 0, skipped 0, quarantined 0"
    assert _query(db, "SELECT COUNT(*) FROM catalog_bibrecord") == N
    assert _query(db, "SELECT COUNT(DISTINCT control_number) FROM catalog_bibrecord") == N
    assert _query(db, "SELECT COUNT(*) FROM catalog_item") == items_in_file
    assert _query(db, "SELECT COUNT(DISTINCT record_id) FROM search_outboxentry") == N
    assert _query(db, "SELECT COUNT(*) FROM search_outboxentry") == N
    assert _query(db, "SELECT imported FROM catalog_importjob") == N
    assert not (home / "tmp").exists() or list((home / "tmp").iterdir()) == []
