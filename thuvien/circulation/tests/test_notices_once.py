"""Notices are sent by the background worker, each exactly once even with two senders at once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections
from django.test import override_settings

from thuvien.circulation.models import Notice
from thuvien.circulation.notices import notices_send_pending

SENT: list[str] = []
_lock = threading.Lock()


class SlowBackend(BaseEmailBackend):
    """Takes a few milliseconds per message, like a real SMTP server, and remembers what it sent."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        for message in email_messages:
            time.sleep(0.003)
            with _lock:
                SENT.append(message.subject)
        return len(email_messages)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="threads need concurrent connections; SQLite is covered by the two-process test")
@override_settings(EMAIL_BACKEND="thuvien.circulation.tests.test_notices_once.SlowBackend")
def test_four_senders_at_once_send_each_notice_once(net, patron_factory):
    reader = patron_factory("N1", net.a, email="a@example.vn")
    Notice.objects.bulk_create(Notice(patron=reader, kind="overdue", channel="email", to="a@example.vn",
                                      subject=f"Thông báo {i}", body=".") for i in range(60))
    SENT.clear()
    barrier = threading.Barrier(4)
    counts: list[int] = []

    def sender() -> None:
        barrier.wait()
        try:
            counts.append(notices_send_pending())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(SENT) == sorted(f"Thông báo {i}" for i in range(60))  # each once, none lost
    assert sum(counts) == 60 and len([c for c in counts if c]) >= 2  # the work really was shared
    assert not Notice.objects.filter(sent_at__isnull=True).exists()


def test_a_failed_send_gives_the_notice_back_with_its_error(net, patron_factory, settings):
    settings.EMAIL_BACKEND = "thuvien.circulation.tests.test_notices_once.BrokenBackend"
    reader = patron_factory("N2", net.a, email="b@example.vn")
    notice = Notice.objects.create(patron=reader, kind="overdue", channel="email", to="b@example.vn",
                                   subject="Nhắc trả", body=".")
    assert notices_send_pending() == 0
    notice.refresh_from_db()
    assert notice.sent_at is None and notice.error == "connection refused by smtp.example.vn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notices_send_pending() == 1
    notice.refresh_from_db()
    assert notice.sent_at is not None and notice.error == ""


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("connection refused by smtp.example.vn")


SETUP = """
from thuvien.core.models import UnitKind
from thuvien.core.services import unit_create
from thuvien.core.demo import system_user
from thuvien.circulation.models import Notice
from thuvien.patrons.models import Patron, PatronCategory
root = unit_create(actor=system_user(), code="R", name="R", kind=UnitKind.objects.get(code="network"), parent=None)
p = Patron.objects.create(card_number="C1", home_library=root, full_name="Bạn đọc", expires_on="2030-01-01",
                          category=PatronCategory.objects.get(code="adult"), email="a@example.vn")
Notice.objects.bulk_create(Notice(patron=p, kind="overdue", channel="email", to="a@example.vn",
                                  subject=f"Thong bao {i:03d}", body=".") for i in range(150))
"""

SEND = """
import pathlib, time
from thuvien.circulation.notices import notices_send_pending
# a barrier: on a loaded machine one process may take longer than the other to start Django
pathlib.Path(BARRIER, f"ready-{WHO}").touch()
deadline = time.time() + 120
while len(list(pathlib.Path(BARRIER).glob("ready-*"))) < 2 and time.time() < deadline:
    time.sleep(0.001)
print("SENT", notices_send_pending())
"""


@pytest.mark.slow
def test_two_processes_sending_at_once_send_each_notice_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(THUVIEN_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="thuvien.config.base",
               THUVIEN_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")

    def thuvien(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "thuvien", *args], env=env, capture_output=True, text=True,
                              timeout=300, check=True).stdout

    thuvien("migrate", "--noinput")
    thuvien("shell", "-c", textwrap.dedent(SETUP))
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    codes = [f"BARRIER = {str(barrier)!r}\nWHO = {who}\n" + textwrap.dedent(SEND) for who in range(2)]
    procs = [subprocess.Popen([sys.executable, "-m", "thuvien", "shell", "-c", code], env=env,  # noqa: S603
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for code in codes]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    subjects = [line.split(": ", 1)[1] for out in outs for line in out.splitlines() if line.startswith("Subject: ")]
    assert sorted(subjects) == [f"Thong bao {i:03d}" for i in range(150)]  # each exactly once
    counts = [int(out.strip().splitlines()[-1].split()[1]) for out in outs]
    assert sum(counts) == 150 and all(counts), counts  # both sent some: they really ran at once
