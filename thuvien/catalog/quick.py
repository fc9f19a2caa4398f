"""Quick cataloguing: build a valid MARC21 book record (TCVN 7539:2005) from a few plain fields,
as the Vietnamese quick-cataloguing form and the demo data do. Pure code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pymarc import Field, Indicators, Leader, Record, Subfield

from thuvien.catalog.marc.isbn import isbn_normalize
from thuvien.core.text import fold, normalize

SUBJECT_SOURCE = "Bộ TK TVQG"  # the National Library of Vietnam's subject heading list
VIETNAMESE_SURNAMES = {fold(s) for s in (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Tô Đoàn Trịnh Lương Đinh Mai Cao "
    "Lâm Hà Thái Chu Kim Tạ Vương Nông Bế Lục Đàm Quách Tôn Thích Triệu Văn Trương Kiều Âu Lã Lại Thân Giang "
    "Khúc Nam Xuân Minh Anh Tuệ Đào Lưu Tăng Từ Ninh Cù Châu Doãn Khổng Mạc Nghiêm Phùng Tống Ông Thạch Hứa "
    "Diệp Đồng Giáp Bạch Cấn Hàn Tiêu").split()}


def is_vietnamese_name(name: str) -> bool:
    """A name that starts with a Vietnamese family name and is written with Vietnamese diacritics."""
    words = fold(name).split()
    return bool(words) and words[0] in VIETNAMESE_SURNAMES and fold(name) != name.lower()


def personal_name(name: str) -> tuple[str, str]:
    """(heading, MARC 100/700 first indicator) for a personal name as a librarian typed it.

    Vietnamese names are entered in direct order with indicator 0, as TCVN 7539 and the National
    Library do: "Nguyễn, Du" becomes "Nguyễn Du". Other inverted names ("Marshall, Tim") keep
    indicator 1; a name without a comma ("Nam Cao", "Homer") is in direct order (0)."""
    name = normalize(name).strip(" ,;")
    if "," not in name:
        return name, "0"
    surname, _sep, given = (part.strip() for part in name.partition(","))
    direct = f"{surname} {given}".strip()
    if given and not any(ch.isdigit() or ch == "," for ch in given) and is_vietnamese_name(direct):
        return direct, "0"
    return name, "1"


@dataclass
class QuickRecord:
    title: str
    subtitle: str = ""
    authors: list[str] = field(default_factory=list)
    responsibility: str = ""
    publisher: str = ""
    place: str = ""
    year: int | None = None
    edition: str = ""
    pages: str = ""
    size: str = ""
    ddc: str = ""
    subjects: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    language: str = "vie"
    isbn: str = ""
    price: str = ""
    series: str = ""
    notes: list[str] = field(default_factory=list)
    summary: str = ""
    audience: str = " "  # 008/22: "j" juvenile
    fiction: bool = False
    cataloguing_agency: str = ""
    country: str = "vm "


def author_mark(heading: str) -> str:
    """A short author mark for the call number: the first three letters of the heading's first
    word, diacritics removed, capitalised ("Nguyễn Nhật Ánh" -> "Ngu")."""
    word = fold(heading).split(" ")[0] if heading.strip() else ""
    letters = "".join(c for c in word if c.isalnum())[:3]
    return letters.capitalize()


def _sf(*pairs: tuple[str, str]) -> list[Subfield]:
    return [Subfield(code=c, value=v) for c, v in pairs if v]


def build_record(q: QuickRecord, *, now: dt.datetime | None = None) -> Record:
    """A MARC21 bibliographic record (language material, monograph) with ISBD punctuation."""
    now = now or dt.datetime.now(dt.UTC)
    record = Record()
    record.leader = Leader("00000nam a2200000 i 4500")
    lang = (q.language or "und").lower()[:3].ljust(3)
    year = f"{q.year:04d}" if q.year else "    "
    date_type = "s" if q.year else "n"
    # 00-05 entered, 06 date type, 07-10 date 1, 11-14 date 2, 15-17 place, 18-21 illustrations,
    # 22 audience, 23 form, 24-27 contents, 28 gov. pub., 29-31 conference/festschrift/index,
    # 32 undefined, 33 literary form, 34 biography, 35-37 language, 38 modified, 39 source.
    f008 = "".join([f"{now:%y%m%d}", date_type, year, "    ", q.country[:3].ljust(3), "    ",
                    q.audience[:1] or " ", " ", "    ", " ", "000", " ", "1" if q.fiction else "0", " ",
                    lang, " ", "d"])
    fields: list[Field] = [Field(tag="005", data=f"{now:%Y%m%d%H%M%S}.0"), Field(tag="008", data=f008)]
    isbn13 = isbn_normalize(q.isbn) if q.isbn else None
    if q.isbn:
        code = "a" if isbn13 else "z"
        fields.append(Field(tag="020", indicators=Indicators(" ", " "),
                            subfields=_sf((code, isbn13 or q.isbn.strip()), ("c", q.price))))
    elif q.price:
        fields.append(Field(tag="020", indicators=Indicators(" ", " "), subfields=_sf(("c", q.price))))
    if q.cataloguing_agency:
        fields.append(Field(tag="040", indicators=Indicators(" ", " "),
                            subfields=_sf(("a", q.cataloguing_agency), ("b", "vie"), ("c", q.cataloguing_agency),
                                          ("e", "AACR2"))))
    fields.append(Field(tag="041", indicators=Indicators("0", " "), subfields=_sf(("a", lang))))
    if q.ddc:
        fields.append(Field(tag="082", indicators=Indicators("0", "4"), subfields=_sf(("a", q.ddc), ("2", "23"))))
        heading = q.authors[0] if q.authors else q.title
        fields.append(Field(tag="090", indicators=Indicators(" ", " "),
                            subfields=_sf(("a", q.ddc), ("b", author_mark(heading)))))
    names = [personal_name(a) for a in q.authors if a.strip()]
    authors = [n for n, _ind in names]
    if names:
        fields.append(Field(tag="100", indicators=Indicators(names[0][1], " "), subfields=_sf(("a", authors[0]))))
    title_a = q.title.strip()
    resp = q.responsibility or ", ".join(authors)
    subs = [("a", title_a + (" :" if q.subtitle else (" /" if resp else "")))]
    if q.subtitle:
        subs.append(("b", q.subtitle.strip() + (" /" if resp else "")))
    if resp:
        subs.append(("c", resp))
    fields.append(Field(tag="245", indicators=Indicators("1" if authors else "0", "0"), subfields=_sf(*subs)))
    if q.edition:
        fields.append(Field(tag="250", indicators=Indicators(" ", " "), subfields=_sf(("a", q.edition))))
    if q.publisher or q.place or q.year:
        pub = [("a", (q.place or "[K.đ.]") + " :"), ("b", (q.publisher or "[K.nxb]") + ("," if q.year else "")),
               ("c", str(q.year) if q.year else "")]
        fields.append(Field(tag="260", indicators=Indicators(" ", " "), subfields=_sf(*pub)))
    if q.pages or q.size:
        extent = f"{q.pages} tr." if q.pages and q.pages.isdigit() else q.pages
        fields.append(Field(tag="300", indicators=Indicators(" ", " "),
                            subfields=_sf(("a", extent + (" ;" if q.size else "")), ("c", q.size))))
    if q.series:
        fields.append(Field(tag="490", indicators=Indicators("0", " "), subfields=_sf(("a", q.series))))
    for note in q.notes:
        fields.append(Field(tag="500", indicators=Indicators(" ", " "), subfields=_sf(("a", note))))
    if q.summary:
        fields.append(Field(tag="520", indicators=Indicators(" ", " "), subfields=_sf(("a", q.summary))))
    for subject in q.subjects:
        if subject.strip():
            fields.append(Field(tag="650", indicators=Indicators(" ", "7"),
                                subfields=_sf(("a", subject.strip()), ("2", SUBJECT_SOURCE))))
    for word in q.keywords:
        if word.strip():
            fields.append(Field(tag="653", indicators=Indicators(" ", " "), subfields=_sf(("a", word.strip()))))
    for other, ind in names[1:]:
        fields.append(Field(tag="700", indicators=Indicators(ind, " "), subfields=_sf(("a", other))))
    record.fields = fields  # type: ignore[assignment]
    return record
