"""Demo data of the digitisation projects: the "Địa chí Cao Bằng" collection (made by the digital demo)
gets a project with two targets (1.000 titles in phase 1, 70% of the local-history holdings by 2030),
a dozen local-history records in its plan and objects in several states, moved through the workflow
by two operators (sohoa, bienmuc) over the past days so the dashboard shows throughput.

The objects made here are small generated pages without OCR (profile "none": tiles only, fast); the
digital demo's own 3-page object (OCR'd by the worker) waits in quality control."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import TextIO

from django.utils import timezone

from thuvien.catalog.quick import QuickRecord, build_record
from thuvien.catalog.services import bib_create
from thuvien.core.demo import system_user
from thuvien.core.models import OrgUnit, User
from thuvien.digital.models import AccessLevel, Collection, DigitalObject
from thuvien.digital.services import object_ingest, object_process
from thuvien.digital.synthetic import render_page
from thuvien.digitisation.models import HoldingsKind, Measure, PlanItem, State
from thuvien.digitisation.services import item_transition, plan_add_holdings, project_create, target_create

RECORDS = [  # title, year, pages of the demo scan
    ("Lịch sử Đảng bộ tỉnh Cao Bằng", 2005, 3),
    ("Khu di tích Pác Bó", 2010, 2),
    ("Thác Bản Giốc và động Ngườm Ngao", 2012, 2),
    ("Văn hoá Tày Nùng Cao Bằng", 2008, 3),
    ("Hát Then Tày Cao Bằng", 2014, 2),
    ("Lễ hội dân gian Cao Bằng", 2011, 2),
    ("Gia phả họ Nông ở Hòa An", 1998, 2),
    ("Địa danh Cao Bằng", 2003, 2),
    ("Nghề rèn Phúc Sen", 2016, 0),
    ("Hương ước làng Tày xưa", 1995, 0),
    ("Truyện cổ Nùng Cao Bằng", 2001, 0),
    ("Chiến thắng Đông Khê 1950", 2000, 0),
]
# How far each of the first eight planned records goes, and who moves it on which past day.
# (state reached, days ago of the scan); steps after the scan follow one day apart.
FATE = [State.PUBLISHED, State.PUBLISHED, State.PUBLISHED, State.APPROVED, State.METADATA, State.OCR,
        State.REWORK, State.SCANNED]
PATH = [State.PREPARED, State.SCANNED, State.QC, State.OCR, State.METADATA, State.APPROVED, State.PUBLISHED]


def _operator(username: str) -> User:
    return User.objects.filter(username=username).first() or system_user()


def load(*, network: OrgUnit, stdout: TextIO) -> None:
    coll = Collection.objects.filter(code="dia-chi-cao-bang").first()
    if coll is None:
        stdout.write("digitisation: no demo collection, skipped\n")
        return
    actor = system_user()
    library = coll.unit
    for title, year, _pages in RECORDS:
        bib_create(actor=actor, owner=library, record=build_record(QuickRecord(
            title=title, publisher="Sở Văn hoá Cao Bằng", place="Cao Bằng", year=year, ddc="959.712",
            subjects=["Địa chí", "Cao Bằng"], summary="Tài liệu địa chí (biểu ghi mẫu)")))
    project = project_create(actor=actor, collection=coll, holdings_kind=HoldingsKind.LOCAL_HISTORY, min_ppi=300)
    target_create(actor=actor, project=project, measure=Measure.TITLES, value=1000, deadline=dt.date(2027, 12, 31),
                  phase="Giai đoạn 1 (2024-2027)")
    target_create(actor=actor, project=project, measure=Measure.PERCENT, value=70, deadline=dt.date(2030, 12, 31),
                  phase="Đề án Thư viện số đến 2030")
    plan_add_holdings(actor=actor, project=project, priority=2)
    items = {i.record.title: i for i in PlanItem.objects.filter(project=project).select_related("record")}
    sohoa, bienmuc = _operator("sohoa"), _operator("bienmuc")
    now = timezone.now()
    with tempfile.TemporaryDirectory() as tmp:
        for n, ((title, _year, pages), fate) in enumerate(zip(RECORDS, FATE, strict=False)):
            item = items[title]
            folder = Path(tmp) / f"v{n}"
            folder.mkdir()
            for p in range(1, pages + 1):
                render_page(f"{title}\nTrang {p}. Tài liệu địa chí Cao Bằng, bản số hoá mẫu.", folder / f"Trang {p}.png",
                            width=700, height=500, font_size=24, seed=n * 10 + p, noise=False)
            made = object_ingest(actor=actor, source=folder, collection=coll, record=item.record,
                                 access=AccessLevel.PUBLIC, ocr_profile="none", process=False)
            obj = object_process(obj=made.obj, pdf=False)
            day = now - dt.timedelta(days=12 - n, hours=3)
            who = [sohoa, sohoa, sohoa, bienmuc, bienmuc, bienmuc, bienmuc]
            for step, operator in zip(PATH, who, strict=True):
                if fate == State.REWORK and step == State.OCR:
                    item = item_transition(actor=bienmuc, item=item, to=State.REWORK, at=day,
                                           reason="trang 2: Mờ")
                    break
                item = item_transition(actor=operator, item=item, to=step, at=day,
                                       obj=obj if step == State.SCANNED else None)
                day += dt.timedelta(hours=20)
                if step == fate:
                    break
        # The digital demo's 3-page object (OCR'd by the worker) waits for its reviewer.
        first = DigitalObject.objects.filter(collection=coll, plan_item__isnull=True).order_by("pk").first()
        if first is not None and first.record is not None:
            waiting = PlanItem.objects.filter(project=project, record=first.record).first()
            if waiting is None:
                from thuvien.digitisation.services import plan_add

                waiting = plan_add(actor=actor, project=project, records=[first.record], priority=1,
                                condition="Bản in 2000, giấy ố vàng").added[0]
            day = now - dt.timedelta(days=1)
            for step in (State.PREPARED, State.SCANNED, State.QC):
                waiting = item_transition(actor=sohoa, item=waiting, to=step, at=day, obj=first)
    stdout.write(f"digitisation: project “{coll.name}”, {PlanItem.objects.filter(project=project).count()} "
                 "records in the plan, /staff/digitisation/\n")
