"""Fixtures for protocols tests (registered in the root conftest.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from thuvien.catalog.models import BibRecord, Item, ItemType
from thuvien.core.models import OrgUnit
from thuvien.core.text import collation_key
from thuvien.search.outbox import outbox_enqueue


def marc_json(*, control: str, title: str, author: str = "", year: int | None = None, isbn: str = "",
              subjects: tuple[str, ...] = (), publisher: str = "", source: str = "VN-TEST") -> dict[str, Any]:
    fixed = f"260101s{year or '    '}    vm            000 0 vie d"
    fields: list[dict[str, Any]] = [{"001": control}, {"003": source}, {"008": fixed}]
    if isbn:
        fields.append({"020": {"ind1": " ", "ind2": " ", "subfields": [{"a": isbn}]}})
    if author:
        fields.append({"100": {"ind1": "0", "ind2": " ", "subfields": [{"a": author}]}})
    fields.append({"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": title}]}})
    if publisher or year:
        fields.append({"260": {"ind1": " ", "ind2": " ", "subfields": [
            {"a": "Hà Nội :"}, {"b": f"{publisher},"}, {"c": str(year or "")}]}})
    for s in subjects:
        fields.append({"650": {"ind1": " ", "ind2": "7", "subfields": [{"a": s}]}})
    return {"leader": "00000nam a2200000 a 4500", "fields": fields}


def make_bib(*, library: OrgUnit | None, control: str, title: str, author: str = "", year: int | None = None,
             isbn: str = "", subjects: tuple[str, ...] = (), publisher: str = "", material_type: str = "book",
             deleted: bool = False) -> BibRecord:
    """A record written straight to the table (the catalogue services are tested in catalog/)."""
    bib = BibRecord.objects.create(
        control_number=control, control_number_source="VN-TEST",
        marc=marc_json(control=control, title=title, author=author, year=year, isbn=isbn, subjects=subjects,
                       publisher=publisher),
        leader="00000nam a2200000 a 4500", title=title, title_sort=collation_key(title),
        main_author=author, authors=[author] if author else [], subjects=list(subjects),
        isbns=[isbn] if isbn else [], year=year, publisher=publisher, material_type=material_type,
        owner=library, is_deleted=deleted, deleted_at=timezone.now() if deleted else None,
    )
    if library is not None:
        book, _ = ItemType.objects.get_or_create(code="book", defaults={"name": "Sách"})
        Item.objects.create(record=bib, library=library, barcode=f"{library.code}-{control}", item_type=book)
    outbox_enqueue([bib.pk])
    return bib


SAMPLE = [
    # control, title, author, year, isbn, subjects, publisher
    ("TV0001", "Truyện Kiều", "Nguyễn Du", 1995, "9786041234567", ("Văn học Việt Nam", "Thơ"), "Văn học"),
    ("TV0002", "Đất rừng phương Nam", "Đoàn Giỏi", 2008, "9786042000018", ("Văn học thiếu nhi",), "Kim Đồng"),
    ("TV0003", "Số đỏ", "Vũ Trọng Phụng", 1936, "", ("Tiểu thuyết",), "Văn học"),
    ("TV0004", "Dế Mèn phiêu lưu ký", "Tô Hoài", 1941, "9786042000025", ("Văn học thiếu nhi",), "Kim Đồng"),
    ("TV0005", "Truyện ngắn Nam Cao", "Nam Cao", 2001, "", ("Truyện ngắn",), "Văn học"),
    ("TV0006", "Lịch sử Cao Bằng", "Nhiều tác giả", 2010, "", ("Lịch sử", "Cao Bằng"), "Chính trị Quốc gia"),
]


@pytest.fixture
def sample_records(net) -> Callable[..., list[BibRecord]]:  # type: ignore[no-untyped-def]
    """make(library=net.a) -> the six SAMPLE records owned by `library`."""

    def make(library: OrgUnit | None = None, prefix: str = "") -> list[BibRecord]:
        lib = library or net.a
        return [make_bib(library=lib, control=prefix + c, title=t, author=a, year=y, isbn=i, subjects=s,
                         publisher=p) for c, t, a, y, i, s, p in SAMPLE]

    return make



# ---- a second thuvien (own database, own server process) for harvesting and SRU client tests ----

REPO = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RemoteThuvien:
    """A second thuvien: its own SQLite database in a temporary THUVIEN_HOME, served by runserver."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = _free_port()
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env.update(THUVIEN_HOME=str(home), DJANGO_SETTINGS_MODULE="thuvien.protocols.tests.remote_settings",
                        PYTHONPATH=str(REPO))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def oai_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/oai"

    def run(self, *args: str) -> str:
        done = subprocess.run([sys.executable, *args], env=self.env, cwd=REPO, capture_output=True, text=True,
                              timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def manage(self, *args: str) -> str:
        return self.run("-m", "thuvien", *args)

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "thuvien", "runserver", "--noreload", "--nothreading",
                                      f"127.0.0.1:{self.port}"], env=self.env, cwd=REPO,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.oai_url + "?verb=Identify", timeout=2) as r:  # noqa: S310
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the second thuvien did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None


@pytest.fixture(scope="module")
def remote_template(tmp_path_factory) -> Path:
    """A migrated and seeded second database, made once and copied for each test."""
    server = RemoteThuvien(tmp_path_factory.mktemp("remote-template"))
    server.manage("migrate", "--noinput", "-v", "0")
    assert server.run("-m", "thuvien.protocols.tests.remote_seed", "seed").split() == ["2", "7"]
    return server.home / "thuvien.sqlite3"


@pytest.fixture
def remote(tmp_path, remote_template):
    home = tmp_path / "remote"
    home.mkdir()
    shutil.copy(remote_template, home / "thuvien.sqlite3")
    server = RemoteThuvien(home)
    server.start()
    yield server
    server.stop()
