"""Demo data for the digital library: a local-history collection with a few generated pages of
"Địa chí Cao Bằng", attached to a catalogue record; the worker tiles and OCRs them (three small
pages, a few seconds), so the viewer shows them and search finds words of their text."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TextIO

from thuvien.catalog.quick import QuickRecord, build_record
from thuvien.catalog.services import bib_create
from thuvien.core.demo import system_user
from thuvien.core.models import OrgUnit
from thuvien.digital.models import AccessLevel
from thuvien.digital.services import collection_create, object_ingest
from thuvien.digital.synthetic import DIA_CHI_CAO_BANG, render_page

DEMO_PAGES = 3


def load(*, network: OrgUnit, stdout: TextIO) -> None:
    actor = system_user()
    library = OrgUnit.objects.filter(code="CB-TVT").first() or network
    coll = collection_create(actor=actor, code="dia-chi-cao-bang", name="Tài liệu địa chí Cao Bằng", unit=library,
                             description="Tài liệu địa chí được số hoá")
    bib = bib_create(actor=actor, owner=library, record=build_record(QuickRecord(
        title="Địa chí Cao Bằng", responsibility="Ban biên soạn Địa chí Cao Bằng", publisher="Chính trị Quốc gia",
        place="Hà Nội", year=2000, pages="900 tr.", ddc="959.712", subjects=["Địa chí", "Cao Bằng"],
        summary="Tài liệu địa chí (bản số hoá mẫu)")))
    with tempfile.TemporaryDirectory() as tmp:
        for n, text in enumerate(DIA_CHI_CAO_BANG[:DEMO_PAGES], 1):
            render_page(text, Path(tmp) / f"Trang {n}.png", width=1000, height=760, font_size=28, seed=n)
        result = object_ingest(actor=actor, source=Path(tmp), collection=coll, record=bib,
                               language="vie", access=AccessLevel.PUBLIC)
    stdout.write(f"digital: collection {coll.code}, object /digital/{result.obj.uuid}/ "
                 f"({result.pages} pages, OCR in the background worker)\n")
