"""Demo catalogue: Vietnamese books from the Tiki data (generated MARC21, said so in a 500 note)
with copies spread over the network's libraries, a few real MARC files, and authorities."""

from __future__ import annotations

import hashlib
from typing import TextIO

from django.db import transaction
from pymarc import Field, Indicators, Subfield

from thuvien.catalog import services
from thuvien.catalog.importer import Importer
from thuvien.catalog.quick import QuickRecord, build_record
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


DEMO_NOTE = "Biểu ghi mẫu do thuvien biên mục cho bản demo, không phải biểu ghi của một thư viện."
# Vietnamese classics most readers look for first (the search box's examples), catalogued by hand.
# title, author (Vietnamese names in direct order, MARC 100 first indicator 0), publisher, place, year, pages, DDC, subject, juvenile
CLASSICS = [
    ("Truyện Kiều", "Nguyễn Du", "Văn học", "Hà Nội", 2019, "279 tr.", "895.9221", "Thơ", False),
    ("Đất rừng phương Nam", "Đoàn Giỏi", "Kim Đồng", "Hà Nội", 2020, "307 tr.", "895.9223", "Tiểu thuyết", True),
    ("Dế Mèn phiêu lưu ký", "Tô Hoài", "Kim Đồng", "Hà Nội", 2021, "144 tr.", "895.9223", "Truyện thiếu nhi", True),
    ("Chí Phèo", "Nam Cao", "Văn học", "Hà Nội", 2018, "212 tr.", "895.9223", "Truyện ngắn", False),
    ("Số đỏ", "Vũ Trọng Phụng", "Văn học", "Hà Nội", 2017, "244 tr.", "895.9223", "Tiểu thuyết", False),
    ("Tắt đèn", "Ngô Tất Tố", "Văn học", "Hà Nội", 2016, "187 tr.", "895.9223", "Tiểu thuyết", False),
    ("Nhật ký Đặng Thùy Trâm", "Đặng Thùy Trâm", "Hội Nhà văn", "Hà Nội", 2005, "295 tr.", "895.9228",
     "Nhật ký", False),
    ("Vợ chồng A Phủ", "Tô Hoài", "Kim Đồng", "Hà Nội", 2019, "96 tr.", "895.9223", "Truyện ngắn", False),
    # local collection of a Cao Bằng library: Tày and Nùng place names and culture
    ("Địa chí Cao Bằng", "", "Chính trị quốc gia", "Hà Nội", 2000, "851 tr.", "915.9712", "Địa chí", False),
    ("Truyện cổ Tày - Nùng", "", "Văn hóa dân tộc", "Hà Nội", 2008, "312 tr.", "398.209597", "Truyện cổ tích",
     True),
    ("Non nước Cao Bằng : Pác Bó, thác Bản Giốc, Phja Oắc", "", "Văn hóa dân tộc", "Hà Nội", 2015, "180 tr.",
     "915.9712", "Du lịch", False),
    ("Hát then của người Tày ở Cao Bằng", "", "Văn hóa dân tộc", "Hà Nội", 2012, "246 tr.", "781.62",
     "Dân ca", False),
]


FICTION = {"Thơ", "Tiểu thuyết", "Truyện thiếu nhi", "Truyện ngắn", "Truyện cổ tích"}


def _classics(agency: str) -> list:  # type: ignore[type-arg]
    records = []
    for i, (title, author, publisher, place, year, pages, ddc, subject, juvenile) in enumerate(CLASSICS):
        title, _sep, subtitle = title.partition(" : ")
        record = build_record(QuickRecord(
            title=title, subtitle=subtitle, authors=[author] if author else [], publisher=publisher, place=place,
            year=year, pages=pages,
            size="21 cm", ddc=ddc, subjects=[subject], language="vie", notes=[DEMO_NOTE],
            audience="j" if juvenile else " ", fiction=subject in FICTION, cataloguing_agency=agency,
        ))
        record.fields.insert(0, Field(tag="003", data=agency))
        record.fields.insert(0, Field(tag="001", data=f"TV{i + 1:04d}"))
        records.append(record)
    return records


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
    for k, record in enumerate(_classics(network.code)):
        # a copy at the provincial library and one at a district library or service point
        for n, lib in enumerate((main, libraries[(3 * k + 1) % len(libraries)])):
            record.add_field(Field(tag="952", indicators=Indicators(" ", " "), subfields=[
                Subfield("a", lib.code), Subfield("p", f"TV{k + 1:04d}{n + 1}"),
                Subfield("y", "child_book" if record["008"].data[22] == "j" else "book")]))
        records.append(record)
    items = 0
    with transaction.atomic():
        for start in range(0, len(records), 500):
            outcomes = importer.store(records[start:start + 500])
            items += sum(o.items for o in outcomes)
            importer.audit_batch(outcomes, source="demo: tiki_books.csv")
    stdout.write(f"Mục lục demo: {len(records)} biểu ghi sách tiếng Việt ({len(CLASSICS)} biên mục mẫu, "
                 f"còn lại tạo từ dữ liệu Tiki), {items} bản.\n")
