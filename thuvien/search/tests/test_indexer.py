"""One index writer per machine: `thuvien indexer` writes, web processes read, searches wait for
their own writes, and a missing index is never built in a request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from thuvien.catalog.selectors import bib_to_pymarc
from thuvien.catalog.services import bib_update
from thuvien.config.middleware import OUTBOX_COOKIE, ReadYourWritesMiddleware
from thuvien.search import engine
from thuvien.search.models import IndexerState, OutboxEntry
from thuvien.search.outbox import outbox_enqueue, outbox_prune, outbox_require, required_outbox_id
from thuvien.search.query import MatchAll
from thuvien.search.selectors import parse_user_query, record_search


@pytest.fixture
def indexer_mode(settings):  # type: ignore[no-untyped-def]
    settings.THUVIEN_INDEX_WRITER = "indexer"
    yield settings
    outbox_require(0)
    shared = engine.SearchIndex(settings.THUVIEN_INDEX_DIR)
    import shutil

    shutil.rmtree(shared.base_dir / "slot-indexer", ignore_errors=True)


def keys(cat, text):
    return cat.keys(record_search(query=parse_user_query(text)).record_ids)


def retitle(actor, bib, title):
    rec = bib_to_pymarc(bib)
    rec["245"]["a"] = title
    return bib_update(actor=actor, bib=bib, record=rec)


def test_web_process_reads_what_the_indexer_wrote_and_never_writes(vn_catalogue, indexer_mode):
    with pytest.raises(engine.IndexRebuilding):  # no indexer has run: nothing is built in this process
        record_search(query=MatchAll())
    assert not (indexer_mode.THUVIEN_INDEX_DIR / "slot-0").exists()
    call_command("indexer", "--once")
    assert record_search(query=MatchAll()).total == 9
    index = engine.get_index()
    assert isinstance(index, engine.IndexReader)
    assert index.cursor == OutboxEntry.objects.latest("id").id
    assert IndexerState.objects.get().cursor == index.cursor  # recorded for outbox pruning


def test_search_after_own_write_waits_for_the_indexer_but_not_forever(vn_catalogue, admin_user, indexer_mode,
                                                                      django_capture_on_commit_callbacks,
                                                                      monkeypatch):
    call_command("indexer", "--once")
    assert keys(vn_catalogue, "mat biec") == ["matbiec"]
    with django_capture_on_commit_callbacks(execute=True):
        retitle(admin_user, vn_catalogue["matbiec"], "Ngồi khóc trên cây")
    monkeypatch.setattr(engine, "READ_YOUR_WRITES_WAIT_S", 0.3)
    started = time.monotonic()
    assert keys(vn_catalogue, "ngoi khoc") == []  # the indexer is "down": the wait gives up
    assert 0.3 <= time.monotonic() - started < 2.0
    call_command("indexer", "--once")
    started = time.monotonic()
    assert keys(vn_catalogue, "ngoi khoc") == ["matbiec"]
    assert time.monotonic() - started < 0.3  # passed: no waiting


def test_a_write_in_a_request_leaves_its_outbox_id_in_a_cookie(vn_catalogue, indexer_mode,
                                                                django_capture_on_commit_callbacks):
    def write_view(request):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            outbox_enqueue([vn_catalogue["kieu"].pk])
        assert required_outbox_id() == OutboxEntry.objects.latest("id").id  # a search here would wait for it
        return HttpResponse("ok")

    response = ReadYourWritesMiddleware(write_view)(RequestFactory().post("/x"))
    assert response.cookies[OUTBOX_COOKIE].value == str(OutboxEntry.objects.latest("id").id)
    assert response.cookies[OUTBOX_COOKIE]["max-age"] == 30
    read = ReadYourWritesMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/y"))
    assert OUTBOX_COOKIE not in read.cookies


def test_while_the_index_is_built_the_opac_answers_from_the_database(vn_catalogue, indexer_mode, client):
    response = client.get("/search/", {"q": "Kiều"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Chỉ mục tìm kiếm đang được dựng lại: tạm thời chỉ tìm theo nhan đề và tác giả" in page
    assert "Truyện Kiều" in page and "Mắt biếc" not in page
    assert "1–1 trong 1 kết quả" in page  # "The tale of Kieu": the fallback does not fold ê to e
    page = client.get("/search/", {"q": "nguyễn du"}).content.decode()  # the author; case ignored
    assert "1–2 trong 2 kết quả" in page and "The tale of Kieu" in page
    assert "bản cũ" not in page  # deleted records stay hidden
    api = client.get("/api/v1/search", {"q": "Kiều"})
    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert "dựng lại" in api.json()["detail"]
    assert client.get("/api/v1/search/suggest", {"q": "Tru"}).json() == []
    sru = client.get("/sru", {"operation": "searchRetrieve", "version": "1.2", "query": "Kiều"})
    assert sru.status_code == 503 and sru["Retry-After"] == "30"  # whatever does not say so itself
    call_command("indexer", "--once")
    # Typed with its marks, "Kiều" is taken literally (docs/search.md): "The tale of Kieu" is not a hit.
    assert client.get("/api/v1/search", {"q": "Kiều"}).json()["total"] == 1
    assert client.get("/api/v1/search", {"q": "kieu"}).json()["total"] == 2


def test_pruning_keeps_what_a_lagging_indexer_has_not_applied(vn_catalogue):
    top = OutboxEntry.objects.latest("id").id
    IndexerState.objects.create(name="may-2:/srv/index", cursor=top - 3, seen_at=timezone.now())
    IndexerState.objects.create(name="may-3:/srv/index", cursor=0, seen_at=timezone.now() - timedelta(days=30))
    applied_by_all = OutboxEntry.objects.filter(id__lte=top - 3).count()  # may-3 is forgotten after 7 days
    assert applied_by_all > 0
    assert outbox_prune(older_than=timedelta(seconds=-1)) == applied_by_all
    assert sorted(OutboxEntry.objects.values_list("id", flat=True)) == [top - 2, top - 1, top]


# ---- real processes: the indexer and a web-like process on one database ----------------------------

WRITE_THEN_SEARCH = """
import time
from thuvien.catalog.models import BibRecord
from thuvien.catalog.selectors import bib_to_pymarc
from thuvien.catalog.services import bib_update
from thuvien.core.models import User
from thuvien.search.selectors import parse_user_query, record_search
bib = BibRecord.objects.get()
rec = bib_to_pymarc(bib)
rec["245"]["a"] = "Ngồi khóc trên cây"
bib_update(actor=User.objects.get(username="root"), bib=bib, record=rec)
t = time.monotonic()
found = record_search(query=parse_user_query("ngoi khoc tren cay")).total
print("FOUND", found, "WAITED_MS", int((time.monotonic() - t) * 1000))
"""


@pytest.mark.slow
def test_indexer_process_serves_a_web_process_its_own_write(tmp_path):
    from thuvien.search.tests.test_outbox import SETUP, _thuvien

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(THUVIEN_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="thuvien.config.base")
    _thuvien(env, "migrate", "--noinput")
    _thuvien(env, "shell", "-c", textwrap.dedent(SETUP))
    indexer = subprocess.Popen([sys.executable, "-m", "thuvien", "indexer"], env=env,  # noqa: S603
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        state = tmp_path / "index" / "slot-indexer" / "state.json"
        deadline = time.monotonic() + 60
        cursor = 0
        while cursor < 1 and time.monotonic() < deadline:  # built, then the outbox applied past the record
            time.sleep(0.1)
            if state.exists():
                cursor = json.loads(state.read_text())["cursor"]
        assert cursor >= 1
        out = _thuvien({**env, "THUVIEN_INDEX_WRITER": "indexer"}, "shell", "-c", textwrap.dedent(WRITE_THEN_SEARCH))
        line = out.strip().splitlines()[-1].split()
        assert line[:2] == ["FOUND", "1"]
        assert int(line[3]) < 2000
        assert not (tmp_path / "index" / "slot-0").exists()  # the web-like process built nothing
    finally:
        indexer.terminate()
        indexer.wait(timeout=30)
    assert indexer.returncode == 0


def test_demo_under_serve_leaves_the_index_to_the_indexer(vn_catalogue, indexer_mode):
    import io

    from thuvien.search import demo

    out = io.StringIO()
    demo.load(network=vn_catalogue.net.province, stdout=out)
    assert out.getvalue() == "Chỉ mục tìm kiếm: do tiến trình indexer của `thuvien serve` dựng."
    assert not (indexer_mode.THUVIEN_INDEX_DIR / "slot-0").exists()
    call_command("indexer", "--once")
    demo.load(network=vn_catalogue.net.province, stdout=out)  # an index exists: the indexer rebuilds it
    assert (indexer_mode.THUVIEN_INDEX_DIR / "slot-indexer" / "rebuild-requested").exists()
    call_command("indexer", "--once")
    assert not (indexer_mode.THUVIEN_INDEX_DIR / "slot-indexer" / "rebuild-requested").exists()
    assert record_search(query=MatchAll()).total == 9


def test_a_command_beside_a_running_indexer_reads_its_index(settings, tmp_path):
    import fcntl

    settings.THUVIEN_INDEX_WRITER, settings.THUVIEN_INDEX_DIR = "auto", tmp_path / "index"
    assert engine.index_writer_mode() == "self"  # nobody writes this directory: do it yourself
    engine._auto_mode.clear()
    settings.THUVIEN_INDEX_DIR.mkdir()
    with open(settings.THUVIEN_INDEX_DIR / "slot-indexer.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as the running indexer does
        assert engine.indexer_running(settings.THUVIEN_INDEX_DIR)
        assert engine.index_writer_mode() == "indexer"
    engine._auto_mode.clear()


def test_readers_keep_searching_while_the_indexer_rebuilds(vn_catalogue, admin_user, indexer_mode):
    call_command("indexer", "--once")
    before = json.loads((indexer_mode.THUVIEN_INDEX_DIR / "slot-indexer" / "state.json").read_text())["build"]
    seen_during: list[int] = []
    shared = engine.SearchIndex(indexer_mode.THUVIEN_INDEX_DIR)
    shared._take_slot(only=engine.INDEXER_SLOT)
    try:
        shared.ensure_open()
        # While the new index is being written, a web process still answers from the old one.
        shared.rebuild(progress=lambda done, total: seen_during.append(record_search(query=MatchAll()).total))
    finally:
        shared.release()
    assert seen_during and set(seen_during) == {9}
    slot = indexer_mode.THUVIEN_INDEX_DIR / "slot-indexer"
    assert json.loads((slot / "state.json").read_text())["build"] != before
    assert sorted(p.name for p in slot.iterdir()) == ["state.json", "tantivy"]
    assert keys(vn_catalogue, "truyen kieu") == ["kieu"]  # the reader moved to the new index


def test_stale_numbered_slots_are_removed_but_held_and_recent_ones_kept(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each numbered slot is a whole copy of the index (about 1 GB for a million records): the indexer
    removes those nobody holds and nothing wrote for a week; never its own slot, a held one or a recent one."""
    import fcntl

    week_ago = time.time() - 8 * 86400
    for name in ("slot-0", "slot-1", "slot-2", "slot-indexer"):
        (tmp_path / name / "tantivy").mkdir(parents=True)
        (tmp_path / name / "state.json").write_text("{}")
        if name != "slot-2":  # slot-2 was written just now
            for p in (tmp_path / name / "tantivy", tmp_path / name / "state.json", tmp_path / name):
                os.utime(p, (week_ago, week_ago))
    with open(tmp_path / "slot-1.lock", "a+") as held:  # a running command holds slot 1
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert engine.prune_stale_slots(tmp_path) == ["slot-0"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slot-1", "slot-1.lock", "slot-2", "slot-indexer"]
    assert engine.prune_stale_slots(tmp_path) == ["slot-1"]  # released, still a week old
    assert engine.prune_stale_slots(tmp_path) == []  # slot-2 was written just now
    hour_ago = time.time() - 3600
    for p in (tmp_path / "slot-2" / "tantivy", tmp_path / "slot-2" / "state.json", tmp_path / "slot-2"):
        os.utime(p, (hour_ago, hour_ago))
    assert engine.prune_stale_slots(tmp_path, older_than_days=1 / 48) == ["slot-2"]  # half an hour
    assert sorted(p.name for p in tmp_path.iterdir()) == ["slot-indexer"]
