"""Vietnamese book metadata from the Tiki data set (../shared/data/vi/tiki_books.csv) turned into
MARC21 records: DDC and subject from the shop category, language vie, a 500 note saying the
record was generated. Used by the demo catalogue and the benchmark generator. Pure code."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pymarc import Record

from thuvien.catalog.quick import QuickRecord, build_record, is_vietnamese_name
from thuvien.core.text import fold

GENERATED_NOTE = "Biểu ghi được tạo tự động từ dữ liệu sách Tiki (tiki_books.csv), không phải biên mục gốc."

# category keyword (folded) -> (DDC for Vietnamese authors, DDC otherwise, subject, juvenile, fiction)
_CATEGORIES: list[tuple[str, str, str, str, bool, bool]] = [
    ("thieu nhi", "895.9223", "808.8", "Văn học thiếu nhi", True, True),
    ("ke cho be", "895.9223", "808.8", "Văn học thiếu nhi", True, True),
    ("ehon", "895.9223", "808.8", "Truyện tranh", True, True),
    ("co tich", "398.2", "398.2", "Truyện cổ tích", True, True),
    ("tranh truyen", "741.5", "741.5", "Truyện tranh", True, True),
    ("trinh tham", "895.9223", "808.83872", "Truyện trinh thám", False, True),
    ("kinh di", "895.9223", "808.83873", "Truyện kinh dị", False, True),
    ("gia tuong", "895.9223", "808.83876", "Truyện giả tưởng", False, True),
    ("truyen ngan", "895.92234", "808.831", "Truyện ngắn", False, True),
    ("tieu thuyet", "895.9223", "808.83", "Tiểu thuyết", False, True),
    ("truyen dai", "895.9223", "808.83", "Tiểu thuyết", False, True),
    ("kinh dien", "895.9223", "808.83", "Văn học kinh điển", False, True),
    ("light novel", "895.6", "895.6", "Light novel", False, True),
    ("ngon tinh", "895.13", "895.13", "Tiểu thuyết tình cảm", False, True),
    ("dam my", "895.13", "895.13", "Tiểu thuyết", False, True),
    ("tho", "895.9221", "808.81", "Thơ", False, True),
    ("tieu su", "920", "920", "Tiểu sử", False, False),
    ("danh nhan", "920", "920", "Danh nhân", False, False),
    ("ky nang lam viec", "650.1", "650.1", "Kỹ năng làm việc", False, False),
    ("huong nghiep", "331.702", "331.702", "Hướng nghiệp", False, False),
    ("ky nang song", "158.1", "158.1", "Kỹ năng sống", False, False),
    ("song dep", "158.1", "158.1", "Kỹ năng sống", False, False),
    ("marketing", "658.8", "658.8", "Marketing", False, False),
    ("tai chinh", "332", "332", "Tài chính", False, False),
    ("kinh te hoc", "330", "330", "Kinh tế học", False, False),
    ("quan tri", "658.4", "658.4", "Quản trị", False, False),
    ("kinh doanh", "658", "658", "Kinh doanh", False, False),
    ("khoi nghiep", "658.11", "658.11", "Khởi nghiệp", False, False),
    ("doanh nhan", "658", "658", "Doanh nhân", False, False),
    ("tieng anh", "428", "428", "Tiếng Anh", False, False),
    ("tieng hoa", "495.1", "495.1", "Tiếng Trung Quốc", False, False),
    ("tieng han", "495.7", "495.7", "Tiếng Hàn Quốc", False, False),
    ("tieng nhat", "495.6", "495.6", "Tiếng Nhật", False, False),
    ("bach khoa", "030", "030", "Bách khoa thư", False, False),
    ("cha me", "649.1", "649.1", "Nuôi dạy con", False, False),
    ("thai giao", "618.24", "618.24", "Thai giáo", False, False),
    ("lich su the gioi", "909", "909", "Lịch sử thế giới", False, False),
    ("lich su viet nam", "959.7", "959.7", "Lịch sử Việt Nam", False, False),
    ("triet hoc", "100", "100", "Triết học", False, False),
    ("nau an", "641.5", "641.5", "Nấu ăn", False, False),
    ("giao duc", "370", "370", "Giáo dục", False, False),
    ("chiem tinh", "133.5", "133.5", "Chiêm tinh", False, False),
    ("phong thuy", "133.3337", "133.3337", "Phong thủy", False, False),
    ("du ky", "915.97", "910.4", "Du ký", False, False),
    ("du lich", "915.97", "910", "Du lịch", False, False),
    ("phong su", "895.9228", "070.4", "Phóng sự", False, False),
    ("my thuat", "700", "700", "Mỹ thuật", False, False),
    ("luat", "340", "340", "Pháp luật", False, False),
    ("to mau", "741.2", "741.2", "Tô màu", False, False),
    ("tuoi teen", "155.5", "155.5", "Tâm lý tuổi vị thành niên", False, False),
    ("hon nhan", "306.81", "306.81", "Hôn nhân", False, False),
    ("luyen thi", "373.2", "373.2", "Sách tham khảo", False, False),
    ("tham khao", "373.2", "373.2", "Sách tham khảo", False, False),
    ("giao trinh", "378", "378", "Giáo trình", False, False),
    ("phong tuc", "390.09597", "390", "Phong tục tập quán", False, False),
    ("tam ly", "150", "150", "Tâm lý học", False, False),
]
PLACES = {"tre": "TP. Hồ Chí Minh", "tong hop tp.hcm": "TP. Hồ Chí Minh", "tphcm": "TP. Hồ Chí Minh"}


@dataclass
class TikiBook:
    title: str
    authors: list[str]
    category: str
    publisher: str
    pages: str
    price: str


def read_tiki(path: str | Path) -> Iterator[TikiBook]:
    """Rows of the Tiki CSV, cleaned (duplicate titles dropped)."""
    seen: set[str] = set()
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            title = " ".join((row.get("title") or "").split())
            if not title or fold(title) in seen:
                continue
            seen.add(fold(title))
            authors = [a.strip() for a in (row.get("authors") or "").replace(";", ",").split(",") if a.strip()]
            pages = (row.get("pages") or "").split(".")[0]
            price = (row.get("original_price") or "").split(".")[0]
            yield TikiBook(title=title, authors=authors[:3], category=(row.get("catagory") or "").strip(),
                           publisher=" ".join((row.get("manufacturer") or "").split()),
                           pages=pages if pages.isdigit() and pages != "0" else "", price=price)


def classify(category: str, authors: list[str]) -> tuple[str, str, bool, bool]:
    """(DDC, subject, juvenile, fiction) for a Tiki category."""
    key = " " + " ".join("".join(c if c.isalnum() or c == "." else " " for c in fold(category)).split()) + " "
    vietnamese = bool(authors) and is_vietnamese_name(authors[0])
    for needle, ddc_vn, ddc_other, subject, juvenile, fiction in _CATEGORIES:
        if f" {needle} " in key:
            return (ddc_vn if vietnamese else ddc_other), subject, juvenile, fiction
    return "080", "Tổng hợp", False, False


def publisher_and_place(publisher: str) -> tuple[str, str]:
    name = publisher
    for prefix in ("Nhà Xuất Bản ", "NXB ", "Nhà xuất bản "):
        if name.startswith(prefix):
            name = name[len(prefix):]
    if not name:
        return "", ""
    place = PLACES.get(fold(name), "Hà Nội")
    return name, place


def tiki_record(book: TikiBook, *, year: int, isbn: str = "", agency: str = "") -> Record:
    """A MARC21 record for a Tiki book, marked as generated in a 500 note."""
    ddc, subject, juvenile, fiction = classify(book.category, book.authors)
    publisher, place = publisher_and_place(book.publisher)
    return build_record(QuickRecord(
        title=book.title, authors=book.authors, publisher=publisher, place=place, year=year, pages=book.pages,
        size="21 cm", ddc=ddc, subjects=[subject],
        # the shop's own category as an uncontrolled term, unless it only repeats the subject
        keywords=[book.category] if book.category and fold(book.category) != fold(subject) else [],
        language="vie", isbn=isbn, price=f"{int(book.price):,}đ".replace(",", ".") if book.price.isdigit() else "",
        notes=[GENERATED_NOTE], audience="j" if juvenile else " ", fiction=fiction, cataloguing_agency=agency,
    ))
