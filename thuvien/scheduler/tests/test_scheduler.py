"""The periodic table: discovery, slots, missed runs, one run per slot, the staff page."""

from __future__ import annotations

import datetime as dt
import re
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from thuvien.scheduler.jobs import resume_interrupted
from thuvien.scheduler.models import ScheduledRun
from thuvien.scheduler.registry import Job, discover, job_from_entry
from thuvien.scheduler.services import schedule_tick

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CALLS: list[str] = []


def sample_job() -> dict[str, int]:
    CALLS.append("sample")
    return {"done": len(CALLS)}


def broken_job() -> str:
    raise RuntimeError("máy chủ thư không trả lời")


SAMPLE = Job(name="test.sample", callable="thuvien.scheduler.tests.test_scheduler.sample_job", every="daily",
             at="02:30")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


def test_every_apps_schedule_module_is_discovered():
    names = {job.name for job in discover()}
    assert {"circulation.daily", "circulation.notices", "protocols.harvest_due", "search.outbox_prune",
            "scheduler.resume_interrupted", "scheduler.forget_old_runs"} <= names
    daily = next(j for j in discover() if j.name == "circulation.daily")
    assert (daily.callable, daily.every, daily.at) == ("thuvien.circulation.jobs.daily_run", "daily", "00:30")


def test_slots_in_vietnamese_time():
    assert SAMPLE.last_due(at(2026, 12, 2, 1, 0)) == at(2026, 12, 1, 2, 30)
    assert SAMPLE.last_due(at(2026, 12, 2, 2, 30)) == at(2026, 12, 2, 2, 30)
    assert SAMPLE.next_due(at(2026, 12, 2, 1, 0)) == at(2026, 12, 2, 2, 30)
    hourly = Job(name="h", callable="x", every="hourly", at="00:10")
    assert hourly.last_due(at(2026, 12, 2, 9, 5)) == at(2026, 12, 2, 8, 10)
    assert hourly.next_due(at(2026, 12, 2, 9, 5)) == at(2026, 12, 2, 9, 10)
    weekly = Job(name="w", callable="x", every="weekly", at="06:00")  # Mondays; 2026-12-07 is one
    assert weekly.last_due(at(2026, 12, 7, 5, 0)) == at(2026, 11, 30, 6, 0)
    assert weekly.next_due(at(2026, 12, 7, 5, 0)) == at(2026, 12, 7, 6, 0)
    monthly = Job(name="m", callable="x", every="monthly", at="01:00")
    assert monthly.last_due(at(2026, 1, 1, 0, 30)) == at(2025, 12, 1, 1, 0)
    assert monthly.next_due(at(2026, 12, 15, 0, 0)) == at(2027, 1, 1, 1, 0)
    every = Job(name="s", callable="x", every=300)
    assert every.last_due(dt.datetime(2026, 12, 2, 7, 7, 7, tzinfo=dt.UTC)) == dt.datetime(2026, 12, 2, 7, 5,
                                                                                             tzinfo=dt.UTC)


@pytest.mark.parametrize("entry, message", [
    ({"name": "a", "callable": "x"}, "needs name, callable and every"),
    ({"name": "a", "callable": "x", "every": "yearly"}, "every must be one of"),
    ({"name": "a", "callable": "x", "every": 0}, "every must be one of"),
    ({"name": "a", "callable": "x", "every": "daily", "at": "25:00"}, "at must be HH:MM"),
])
def test_a_wrong_entry_says_what_is_wrong(entry, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        job_from_entry(entry, "thuvien.demo.schedule")


@pytest.mark.django_db
def test_a_run_is_recorded_and_a_missed_slot_runs_once_at_the_next_start():
    CALLS.clear()
    [run] = schedule_tick(now=at(2026, 12, 2, 3, 0), jobs=[SAMPLE])
    run.refresh_from_db()
    assert (run.status, run.summary, run.due_at) == ("done", '{"done": 1}', at(2026, 12, 2, 2, 30))
    assert run.started_at is not None and run.finished_at >= run.started_at
    assert schedule_tick(now=at(2026, 12, 2, 23, 0), jobs=[SAMPLE]) == []  # already run today
    # The server was down for three days: one catch-up run, for the latest slot.
    [late] = schedule_tick(now=at(2026, 12, 6, 9, 0), jobs=[SAMPLE])
    assert late.due_at == at(2026, 12, 6, 2, 30) and CALLS == ["sample", "sample"]
    assert ScheduledRun.objects.count() == 2


@pytest.mark.django_db
def test_a_failing_job_is_recorded_with_its_error():
    job = Job(name="test.broken", callable="thuvien.scheduler.tests.test_scheduler.broken_job", every=60)
    [run] = schedule_tick(jobs=[job])
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.error.startswith("RuntimeError: máy chủ thư không trả lời")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)")
def test_several_schedulers_at_once_run_a_slot_once():
    CALLS.clear()
    barrier = threading.Barrier(4)
    claimed: list[int] = []

    def tick() -> None:
        barrier.wait()
        try:
            claimed.extend(r.pk for r in schedule_tick(now=at(2026, 12, 2, 3, 0), jobs=[SAMPLE]))
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(claimed) == 1 and CALLS == ["sample"]
    assert ScheduledRun.objects.get().status == "done"


@pytest.mark.django_db
def test_an_import_and_a_harvest_whose_worker_died_are_resumed(net, admin_user, tmp_path):
    from bench.make_catalogue import generate
    from thuvien.catalog.models import BibRecord, ImportJob
    from thuvien.catalog.services import import_job_create
    from thuvien.protocols.models import HarvestRun, HarvestSource

    path = tmp_path / "c.mrc"
    path.write_bytes(generate(20, seed=3, libraries=["A"]))
    job = import_job_create(actor=admin_user, library=net.a, path=path, match="none")
    fresh = import_job_create(actor=admin_user, library=net.a, path=path, match="none", resume=False)
    source = HarvestSource.objects.create(code="src", name="Nguồn", base_url="http://127.0.0.1:9/oai", library=net.a)
    run = HarvestRun.objects.create(source=source, status=HarvestRun.Status.RUNNING)
    old = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)  # their worker died at 08:00
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, updated_at=old)
    ImportJob.objects.filter(pk=fresh.pk).update(status=ImportJob.Status.RUNNING,
                                                 updated_at=old + dt.timedelta(minutes=10))
    HarvestRun.objects.filter(pk=run.pk).update(updated_at=old)
    now = old + dt.timedelta(minutes=20)
    # Tasks run at once in the tests: the import finishes, the harvest fails on its unreachable source.
    assert resume_interrupted(now=now) == {"imports_resumed": 1, "harvests_resumed": 1, "runs_interrupted": 0}
    job.refresh_from_db()
    assert (job.status, job.imported) == (ImportJob.Status.DONE, 20) and BibRecord.objects.count() == 20
    run.refresh_from_db()
    assert run.status == HarvestRun.Status.FAILED and run.error
    assert ImportJob.objects.get(pk=fresh.pk).status == ImportJob.Status.RUNNING  # still alive: left alone
    assert resume_interrupted(now=now) == {"imports_resumed": 0, "harvests_resumed": 0, "runs_interrupted": 0}


@pytest.mark.django_db
def test_staff_page_lists_jobs_and_history_for_network_admins_only(client, net, admin_user, staff_factory):
    schedule_tick(now=at(2026, 12, 2, 3, 0), jobs=[SAMPLE])
    client.force_login(admin_user)
    page = client.get("/staff/schedule/").content.decode()
    assert "Lưu thông hằng ngày: hết hạn giữ, nhắc quá hạn, ẩn danh" in page
    assert "<code>circulation.daily</code>" in page and "Ngay (đã lỡ)" in page
    assert "<code>test.sample</code>" in page and "02/12/2026 02:30" in page
    assert re.search(r"<td>done: \d+</td>", page)  # a key without a label is shown as it is, never as JSON
    assert "<td>hằng ngày lúc 00:30</td>" in page and "<td>mỗi 5 phút</td>" in page
    assert "<td>hằng giờ, phút 10</td>" in page and "&quot;" not in page
    history = client.get("/staff/schedule/", {"job": "circulation.daily"}).content.decode()
    assert "Lịch sử: circulation.daily" in history and "Chưa có lượt chạy nào." in history
    desk = staff_factory("desk", net.a, "circulation")
    client.force_login(desk)
    assert client.get("/staff/schedule/").status_code == 403
    assert "Việc định kỳ" not in client.get("/staff/").content.decode()


@pytest.mark.django_db
def test_the_scheduler_prints_every_slot_in_vietnamese_time(monkeypatch):
    """Interval slots are computed in UTC and daily ones in Vietnam time; the log line shows both in
    Vietnam time, as the staff page does (it printed 04:10 beside 11:10 for the same minute)."""
    import io

    from django.core.management import call_command
    from django.utils import timezone

    from thuvien.scheduler.management.commands import scheduler as command

    every = Job(name="test.sample", callable="thuvien.scheduler.tests.test_scheduler.sample_job", every=300)
    monkeypatch.setattr(command, "discover", lambda: [every])
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    run = ScheduledRun.objects.get(name="test.sample")
    assert run.due_at.utcoffset() is not None
    shown = timezone.localtime(run.due_at, VN).strftime("%Y-%m-%d %H:%M")
    assert out.getvalue() == f"scheduler: test.sample ({shown}) → tiến trình nền\n"


def test_a_summary_reads_in_words():
    from django.utils import translation

    from thuvien.scheduler.summary import summary_text

    daily = '{"holds_expired": 0, "overdue_readers_notified": 3, "loans_anonymised": 1250, "notices_sent": 2}'
    assert summary_text(daily) == ("Giữ chỗ hết hạn: 0 · Bạn đọc được nhắc quá hạn: 3 · "
                                   "Lượt mượn được ẩn danh: 1.250 · Thông báo đã gửi: 2")
    backup = '{"file": "thuvien-20261203.tar.gz", "bytes": 10195778, "seconds": 1.21, "pruned": 0}'
    with translation.override("vi"):
        assert summary_text(backup) == ("Tệp: thuvien-20261203.tar.gz · Dung lượng: 9,7\xa0MB · Số giây: 1,21 · "
                                        "Bản cũ đã xoá: 0")
    assert summary_text('{"harvests_queued": 0, "sources": []}') == "Lượt thu hoạch đã giao: 0 · Nguồn: —"
    assert summary_text("3 rows") == "3 rows" and summary_text("{broken") == "{broken"
    with translation.override("en"):
        assert summary_text(daily) == ("Holds expired: 0 · Readers reminded of overdues: 3 · Loans anonymised: "
                                       "1,250 · Notices sent: 2")
        assert Job(name="x", callable="x", every="weekly", at="06:00").every_label == "Mondays at 06:00"
    assert Job(name="x", callable="x", every=7200).every_label == "mỗi 2 giờ"
    assert Job(name="x", callable="x", every="monthly", at="01:00").every_label == "ngày 1 hằng tháng lúc 01:00"
