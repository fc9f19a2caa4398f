"""The transactional outbox: the index follows the database, survives crashes and corruption."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from thuvien.catalog.models import ItemStatus
from thuvien.catalog.selectors import bib_to_pymarc
from thuvien.catalog.services import bib_delete, bib_update, item_update
from thuvien.search import engine
from thuvien.search.models import OutboxEntry
from thuvien.search.outbox import outbox_enqueue, outbox_prune
from thuvien.search.query import MatchAll
from thuvien.search.selectors import parse_user_query, record_search


def keys(cat, text, **kw):
    return cat.keys(record_search(query=parse_user_query(text), **kw).record_ids)


def retitle(actor, bib, title):
    rec = bib_to_pymarc(bib)
    rec["245"]["a"] = title
    return bib_update(actor=actor, bib=bib, record=rec)


def test_edit_is_seen_by_the_next_search(vn_catalogue, admin_user):
    assert keys(vn_catalogue, "mat biec") == ["matbiec"]
    retitle(admin_user, vn_catalogue["matbiec"], "Ngồi khóc trên cây")
    assert keys(vn_catalogue, "ngoi khoc tren cay") == ["matbiec"]
    assert keys(vn_catalogue, "biec") == []


def test_item_status_change_updates_availability(vn_catalogue, admin_user):
    net = vn_catalogue.net
    only_available = {"availability": ["available"]}
    assert keys(vn_catalogue, "mat biec", library=net.b, filters=only_available) == ["matbiec"]
    item = vn_catalogue["matbiec"].items.get()
    item_update(actor=admin_user, item=item, status=ItemStatus.MISSING)  # (on loan is set by the desk only)
    assert keys(vn_catalogue, "mat biec", library=net.b, filters=only_available) == []
    assert keys(vn_catalogue, "mat biec", library=net.b) == ["matbiec"]


def test_deleted_record_leaves_the_index(vn_catalogue, admin_user):
    assert keys(vn_catalogue, "lao hac") == ["laohac"]
    bib_delete(actor=admin_user, bib=vn_catalogue["laohac"])
    assert keys(vn_catalogue, "lao hac") == []


def test_index_is_applied_right_after_commit(vn_catalogue, admin_user, django_capture_on_commit_callbacks):
    record_search(query=MatchAll())
    index = engine.current_index()
    assert index is not None
    with django_capture_on_commit_callbacks(execute=True):
        retitle(admin_user, vn_catalogue["chipheo"], "Chí Phèo và Thị Nở")
    last = OutboxEntry.objects.latest("id").id
    assert index.cursor == last  # applied by the on-commit hook, before any search
    assert keys(vn_catalogue, "thi no") == ["chipheo"]


def test_out_of_order_commits_are_not_missed(vn_catalogue):
    record_search(query=MatchAll())
    index = engine.current_index()
    top = OutboxEntry.objects.latest("id").id
    # A transaction holding id top+1 commits after one holding top+2 (PostgreSQL sequences do this).
    OutboxEntry.objects.create(id=top + 2, record_id=vn_catalogue["kieu"].pk)
    index.sync()
    assert index.cursor == top + 2 and index.in_gap(top + 1)
    OutboxEntry.objects.create(id=top + 1, record_id=vn_catalogue["laohac"].pk)
    assert index.sync() == 1
    assert not index.in_gap(top + 1)
    assert index.sync() == 0  # found once, not applied again
    state = json.loads(index.state_path.read_text())
    assert state["cursor"] == top + 2 and [top + 1, top + 1] not in [g[:2] for g in state["gaps"]]


def test_corrupt_index_is_rebuilt_not_a_crash(vn_catalogue):
    assert keys(vn_catalogue, "dat rung") == ["datrung"]
    index = engine.current_index()
    tantivy_dir = index.tantivy_dir
    index.release()
    engine._engine = None
    (tantivy_dir / "meta.json").write_text("{not json")
    for f in tantivy_dir.glob("*.idx"):
        f.write_bytes(b"garbage")
    assert keys(vn_catalogue, "dat rung") == ["datrung"]
    assert engine.current_index().tantivy_dir == tantivy_dir


def test_missing_index_is_rebuilt(vn_catalogue):
    assert record_search(query=MatchAll()).total == 9
    index = engine.current_index()
    slot_dir = index.slot_dir
    index.release()
    engine._engine = None
    import shutil

    shutil.rmtree(slot_dir)
    assert record_search(query=MatchAll()).total == 9


def test_pruned_outbox_forces_a_rebuild(vn_catalogue, admin_user):
    assert record_search(query=MatchAll()).total == 9
    index = engine.current_index()
    index.release()
    engine._engine = None
    # While this process is "down", a record changes and old entries are pruned.
    retitle(admin_user, vn_catalogue["mattroi"], "Mặt trời mọc ở đằng đông")
    assert outbox_prune(older_than=timedelta(seconds=-1)) > 0
    assert OutboxEntry.objects.count() == 0
    assert keys(vn_catalogue, "dang dong") == ["mattroi"]


def test_reindex_command_rebuilds(vn_catalogue, capsys):
    call_command("reindex")
    out = capsys.readouterr().out
    assert "slot-0: 9 biểu ghi" in out
    assert "[##############################] 9/9" in out
    assert keys(vn_catalogue, "truyen kieu") == ["kieu"]


def test_reindex_with_little_memory_gives_the_same_index(vn_catalogue, capsys):
    call_command("reindex", "--memory-mb", "20", "--quiet-progress")
    assert "slot-0: 9 biểu ghi" in capsys.readouterr().out
    assert keys(vn_catalogue, "truyen kieu") == ["kieu"]
    assert record_search(query=MatchAll()).total == 9


def test_writer_memory_budget_is_split_into_threads_of_at_least_200_mb():
    assert engine.build_writer_budget(400, 2) == (2, 200_000_000)
    assert engine.build_writer_budget(1000, 16) == (4, 250_000_000)  # at most 4 threads
    assert engine.build_writer_budget(800, 1) == (1, 800_000_000)  # one core: one thread with it all
    assert engine.build_writer_budget(100, 8) == (1, 100_000_000)  # an in-process rebuild: 400 / 4
    assert engine.build_writer_budget(5, 8) == (1, 20_000_000)  # never under tantivy's minimum


def test_enqueue_outside_a_transaction_is_harmless(vn_catalogue):
    assert outbox_enqueue([]) == 0
    assert outbox_enqueue([vn_catalogue["kieu"].pk, vn_catalogue["kieu"].pk]) == 1


# ---- a real process killed between commit and index apply ---------------------------------------

SETUP = """
import pymarc
from thuvien.core.models import UnitKind, User
from thuvien.core.services import unit_create
from thuvien.catalog.services import bib_create
su = User.objects.create_superuser("root", password="x")
root = unit_create(actor=su, code="R", name="Root", kind=UnitKind.objects.get(code="network"), parent=None)
rec = pymarc.Record(force_utf8=True)
rec.add_field(pymarc.Field(tag="245", indicators=["1", "0"], subfields=[pymarc.Subfield("a", "Mắt biếc")]))
print("RECORD", bib_create(actor=su, record=rec, owner=root).pk)
"""

EDIT_THEN_HANG = """
import sys, time
from django.db import transaction
from thuvien.catalog.models import BibRecord
from thuvien.catalog.selectors import bib_to_pymarc
from thuvien.catalog.services import bib_update
from thuvien.core.models import User
from thuvien.search.engine import get_index
get_index()  # this process serves searches: its index would be updated after commit
bib = BibRecord.objects.get()
rec = bib_to_pymarc(bib)
rec["245"]["a"] = "Ngồi khóc trên cây"
with transaction.atomic():
    # Runs first among the on-commit callbacks: the data is committed, the index not yet updated.
    transaction.on_commit(lambda: (print("COMMITTED", flush=True), time.sleep(120)))
    bib_update(actor=User.objects.get(username="root"), bib=bib, record=rec)
"""


def _thuvien(env, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "thuvien", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=True).stdout


@pytest.mark.slow
def test_killed_between_commit_and_apply_then_restart_finds_the_change(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(THUVIEN_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="thuvien.config.base")
    _thuvien(env, "migrate", "--noinput")
    _thuvien(env, "shell", "-c", textwrap.dedent(SETUP))
    assert "Mắt biếc" in _thuvien(env, "search", "mat biec")

    proc = subprocess.Popen([sys.executable, "-m", "thuvien", "shell", "-c", textwrap.dedent(EDIT_THEN_HANG)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        line = ""
        while time.monotonic() < deadline and "COMMITTED" not in line:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                pytest.fail("writer exited early: " + proc.stderr.read())
        assert "COMMITTED" in line
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    state = json.loads((Path(tmp_path) / "index" / "slot-0" / "state.json").read_text())
    out = _thuvien(env, "shell", "-c", "from thuvien.search.models import OutboxEntry as O; print(O.objects.latest('id').id)")
    assert state["cursor"] < int(out.strip().splitlines()[-1])  # the killed process never applied the edit

    found = _thuvien(env, "search", "ngoi khoc tren cay")
    assert found.startswith("1 kết quả") and "Ngồi khóc trên cây" in found
    assert _thuvien(env, "search", "mat biec").startswith("0 kết quả")
