"""Demo data of the digitisation projects: a collection "Địa chí Cao Bằng" of the provincial library
with a project and two targets (1.000 titles in phase 1, 70% of the local-history holdings by 2030),
its local-history records in the plan (the digital demo's "Địa chí Cao Bằng" shows as already
digitised elsewhere) and objects in several states, moved through the workflow by two operators
(sohoa, bienmuc) over the past days so the dashboard shows throughput.

The objects that go far are small generated pages without OCR (profile "none": tiles only, fast);
one more, OCR'd by the worker, waits in quality control. The digital demo's own object stays
outside the project, public as before."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import TextIO

from django.utils import timezone
from PIL import Image

from thuvien.catalog.quick import QuickRecord, build_record
from thuvien.catalog.services import bib_create
from thuvien.core.demo import system_user
from thuvien.core.models import OrgUnit, User
from thuvien.digital.models import AccessLevel, Collection
from thuvien.digital.services import collection_create, object_ingest, object_process
from thuvien.digital.synthetic import DIA_CHI_CAO_BANG, render_page
from thuvien.digitisation.models import HoldingsKind, Measure, PlanItem, State
from thuvien.digitisation.services import item_transition, plan_add_holdings, project_create, target_create

DEMO_CODE = "so-hoa-dia-chi-cao-bang"
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
    if Collection.objects.filter(code=DEMO_CODE).exists():
        return
    actor = system_user()
    library = OrgUnit.objects.filter(code="CB-TVT").first() or network
    coll = collection_create(actor=actor, code=DEMO_CODE, name="Địa chí Cao Bằng", unit=library,
                             description="Dự án số hoá tài liệu địa chí của Thư viện tỉnh")
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
                path = folder / f"Trang {p}.png"
                render_page(f"{title}\nTrang {p}. Tài liệu địa chí Cao Bằng, bản số hoá mẫu.", path,
                            width=700, height=500, font_size=24, seed=n * 10 + p, noise=False)
                # scans declare their resolution; the record sent back for rework has a skewed 150 ppi page
                bad = fate == State.REWORK and p == 2
                with Image.open(path) as img:
                    page = img.convert("L").rotate(3, fillcolor=255) if bad else img.copy()
                page.save(path, dpi=(150, 150) if bad else (300, 300))
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
        # One more volume, OCR'd by the worker, waits for its reviewer in quality control.
        title, _year, _pages = RECORDS[len(FATE)]
        waiting = items[title]
        folder = Path(tmp) / "qc"
        folder.mkdir()
        for p, text in enumerate(DIA_CHI_CAO_BANG[:2], 1):
            render_page(text, folder / f"Trang {p}.png", width=900, height=640, font_size=26, seed=p)
        scan = object_ingest(actor=actor, source=folder, collection=coll, record=waiting.record,
                             access=AccessLevel.PUBLIC).obj
        day = now - dt.timedelta(days=1)
        for step in (State.PREPARED, State.SCANNED, State.QC):
            waiting = item_transition(actor=sohoa, item=waiting, to=step, at=day, obj=scan)
    stdout.write(f"digitisation: project “{coll.name}”, {PlanItem.objects.filter(project=project).count()} "
                 "records in the plan, /staff/digitisation/\n")
