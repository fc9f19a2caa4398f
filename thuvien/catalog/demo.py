"""Demo catalogue: Vietnamese books from the Tiki data (generated MARC21, said so in a 500 note)
with copies spread over the network's libraries, a few real MARC files, and authorities."""

from __future__ import annotations

import hashlib
from typing import TextIO

from django.db import transaction
from pymarc import Field, Indicators, Subfield

from thuvien.catalog import services
from thuvien.catalog.importer import Importer
from thuvien.catalog.tiki import classify, read_tiki, tiki_record
from thuvien.config.env import REPO_ROOT
from thuvien.core.demo import system_user
from thuvien.core.models import OrgUnit

SHARED = REPO_ROOT.parent / "shared" / "data"
REAL_FILES = ["marc4j/pride-and-prejudice-fixed.mrc", "evergreen/nepali.marc", "marc4j/brkrtest_UTF8.mrc",
              "evergreen/map_data.mrc", "traject/test_data.utf8.mrc", "evergreen/auth-1066.mrc",
              "traject/bad_utf_byte.utf8.marc"]  # the last one shows the quarantine


def _n(text: str, mod: int) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % mod


def load(*, network: OrgUnit, stdout: TextIO) -> None:
    """Add the demo catalogue to `network` (called once, on an empty database)."""
    actor = system_user()
    csv_path = SHARED / "vi" / "tiki_books.csv"
    if not csv_path.exists():
        stdout.write("Không thấy ../shared/data: bỏ qua mục lục demo.\n")
        return
    libraries = list(OrgUnit.objects.filter(path__startswith=network.path, kind__holds_items=True, is_active=True)
                     .order_by("path"))
    main = next((u for u in libraries if u.code.endswith("-TVT")), libraries[0] if libraries else network)
    # Real foreign MARC files first, so the Vietnamese books are the newest acquisitions on the home page.
    for name in REAL_FILES:
        path = SHARED / "marc" / name
        if not path.exists():
            continue
        job = services.import_job_create(actor=actor, library=main, path=path)
        job = services.import_job_run(job=job, actor=actor, batch_size=1000)
        stdout.write(f"  {name}: {job.summary}\n")
    importer = Importer(actor=actor, library=network, match="none")
    records = []
    for i, book in enumerate(read_tiki(csv_path)):
        record = tiki_record(book, year=2010 + _n(book.title, 15), agency=network.code)
        record.fields.insert(0, Field(tag="003", data=network.code))
        record.fields.insert(0, Field(tag="001", data=f"TIKI{i + 1:05d}"))
        juvenile = classify(book.category, book.authors)[2]
        copies = 1 + _n(book.title + "#", 3)
        for k in range(copies):
            lib = main if k == 0 else libraries[_n(f"{book.title}{k}", len(libraries))]
            record.add_field(Field(tag="952", indicators=Indicators(" ", " "), subfields=[
                Subfield("a", lib.code), Subfield("p", f"{i + 1:05d}{k + 1}"),
                Subfield("y", "child_book" if juvenile else "book"),
                Subfield("g", book.price), Subfield("e", "Mua (dữ liệu Tiki)")]))
        records.append(record)
    items = 0
    with transaction.atomic():
        for start in range(0, len(records), 500):
            outcomes = importer.store(records[start:start + 500])
            items += sum(o.items for o in outcomes)
            importer.audit_batch(outcomes, source="demo: tiki_books.csv")
    stdout.write(f"Mục lục demo: {len(records)} biểu ghi sách tiếng Việt (tạo từ dữ liệu Tiki), {items} bản.\n")
