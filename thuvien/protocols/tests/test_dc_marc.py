"""Dublin Core -> MARC21 crosswalk (protocols/dc_marc.py) over realistic Vietnamese repository records."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from defusedxml import ElementTree as SafeET

from thuvien.catalog.marc.lint import lint
from thuvien.protocols.dc_marc import (
    DCRecordError,
    dc_from_element,
    dc_to_marc,
    find_dc,
    first_year,
    language_code,
    split_text,
)

BASE = "https://dspace.tvcaobang.vn/oai/request"
NOTE = f"Biểu ghi chuyển đổi từ Dublin Core, thu thập qua OAI-PMH từ {BASE}."

# As DSpace 6/7 serves it (oai_dc crosswalk), pretty-printed, several creators, dates and languages.
DSPACE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <dc:title>Lịch sử Đảng bộ tỉnh Cao Bằng</dc:title>
  <dc:title>History of the Cao Bang Party Committee</dc:title>
  <dc:creator>Nguyễn, Văn Hùng</dc:creator>
  <dc:creator>Hoàng Thị Lan</dc:creator>
  <dc:contributor>Ban Tuyên giáo Tỉnh ủy Cao Bằng</dc:contributor>
  <dc:subject>Lịch sử Đảng</dc:subject>
  <dc:subject>Cao Bằng</dc:subject>
  <dc:description>Trình bày quá trình ra đời và phát triển
      của Đảng bộ tỉnh Cao Bằng.</dc:description>
  <dc:description>   </dc:description>
  <dc:date>2015-03-02T08:15:00Z</dc:date>
  <dc:date>2015-03-02</dc:date>
  <dc:type>Sách</dc:type>
  <dc:identifier>ISBN 978-604-57-1234-4</dc:identifier>
  <dc:identifier>https://dspace.tvcaobang.vn/handle/123456789/42</dc:identifier>
  <dc:identifier>CB-2015-042</dc:identifier>
  <dc:language>vi</dc:language>
  <dc:language>en</dc:language>
  <dc:format>application/pdf</dc:format>
  <dc:format>356 tr. ; 21 cm</dc:format>
  <dc:publisher>Chính trị Quốc gia</dc:publisher>
  <dc:publisher>Sự thật</dc:publisher>
  <dc:source>Tủ sách địa chí Cao Bằng</dc:source>
  <dc:relation>Bộ sách Lịch sử Đảng bộ các tỉnh</dc:relation>
  <dc:coverage>Cao Bằng</dc:coverage>
  <dc:coverage>1930-2015</dc:coverage>
  <dc:rights>Chỉ đọc tại thư viện</dc:rights>
  <dc:title/>
</oai_dc:dc>"""


def fields(record) -> list[str]:
    return [str(f) for f in record.fields]


def test_dspace_record_exact_fields():
    dc = dc_from_element(SafeET.fromstring(DSPACE_XML.encode()))
    assert dc["description"] == ["Trình bày quá trình ra đời và phát triển của Đảng bộ tỉnh Cao Bằng."]
    assert dc["title"] == ["Lịch sử Đảng bộ tỉnh Cao Bằng", "History of the Cao Bang Party Committee"]
    record = dc_to_marc(dc, oai_identifier="oai:dspace.tvcaobang.vn:123456789/42", base_url=BASE,
                        entered=date(2026, 3, 9))
    assert str(record.leader) == "00000nam a2200000uu 4500"
    assert fields(record) == [
        "=008  " + "260309s2015    xx                  vie d".replace(" ", "\\"),
        "=020  \\\\$a978-604-57-1234-4",
        "=024  8\\$aCB-2015-042",
        "=035  \\\\$a(OAI)oai:dspace.tvcaobang.vn:123456789/42",
        "=041  0\\$avie$aeng",
        "=042  \\\\$adc",
        "=100  1\\$aNguyễn, Văn Hùng",
        "=245  10$aLịch sử Đảng bộ tỉnh Cao Bằng",
        "=246  33$aHistory of the Cao Bang Party Committee",
        "=260  \\\\$bChính trị Quốc gia$bSự thật$c2015-03-02T08:15:00Z$c2015-03-02",
        "=300  \\\\$a356 tr. ; 21 cm",
        f"=500  \\\\$a{NOTE}",
        "=520  \\\\$aTrình bày quá trình ra đời và phát triển của Đảng bộ tỉnh Cao Bằng.",
        "=540  \\\\$aChỉ đọc tại thư viện",
        "=648  \\4$a1930-2015",
        "=651  \\4$aCao Bằng",
        "=653  \\\\$aLịch sử Đảng",
        "=653  \\\\$aCao Bằng",
        "=655  \\7$aSách$2local",
        "=700  0\\$aHoàng Thị Lan",
        "=700  0\\$aBan Tuyên giáo Tỉnh ủy Cao Bằng",
        "=786  0\\$nTủ sách địa chí Cao Bằng",
        "=787  0\\$nBộ sách Lịch sử Đảng bộ các tỉnh",
        "=856  40$uhttps://dspace.tvcaobang.vn/handle/123456789/42$qapplication/pdf",
    ]
    assert lint(record) == []
    assert len(record["008"].data) == 40
    # the UTF-8 serialisation says so in leader/09 and keeps the Vietnamese text
    raw = record.as_marc()
    assert raw[9:10] == b"a" and "Đảng bộ tỉnh Cao Bằng".encode() in raw


def test_uncertain_year_isbn10_and_languages_kept():
    record = dc_to_marc({
        "title": ["Truyện Kiều"], "creator": ["Nguyễn Du", "Đào Duy Anh", "Nguyễn Du"],
        "date": ["[1998?]"], "language": ["vie", "fra", "Tiếng Việt", "Tày cổ"],
        "identifier": ["urn:isbn:0-306-40615-2 (bìa mềm)", "ISBN 978-604-57-1234-0", "doi:10.1000/182"],
        "type": ["Text"],
    }, oai_identifier="oai:x:1", base_url=BASE, entered="980101")
    assert fields(record) == [
        "=008  " + "980101s1998    xx                  vie d".replace(" ", "\\"),
        "=020  \\\\$a0-306-40615-2$qbìa mềm",
        "=020  \\\\$z978-604-57-1234-0",  # a wrong check digit: kept, as an invalid ISBN
        "=024  7\\$a10.1000/182$2doi",
        "=035  \\\\$a(OAI)oai:x:1",
        "=041  0\\$avie$afre",
        "=042  \\\\$adc",
        "=100  0\\$aNguyễn Du",
        "=245  10$aTruyện Kiều",
        "=260  \\\\$c[1998?]",
        f"=500  \\\\$a{NOTE}",
        "=546  \\\\$aTày cổ",
        "=700  0\\$aĐào Duy Anh",
        "=700  0\\$aNguyễn Du",
    ]
    assert lint(record) == []


@pytest.mark.parametrize(("types", "leader"), [
    (["Image"], "00000nkm a2200000uu 4500"),
    (["Moving Image"], "00000ngm a2200000uu 4500"),
    (["Sound"], "00000nim a2200000uu 4500"),
    (["Âm nhạc"], "00000njm a2200000uu 4500"),
    (["Bản đồ"], "00000nem a2200000uu 4500"),
    (["Collection"], "00000npc a2200000uu 4500"),
    (["Dataset"], "00000nmm a2200000uu 4500"),
    (["info:eu-repo/semantics/article"], "00000nam a2200000uu 4500"),
    (["Luận văn thạc sĩ"], "00000nam a2200000uu 4500"),
    (["Khác", "StillImage"], "00000nkm a2200000uu 4500"),
    ([], "00000nam a2200000uu 4500"),
])
def test_type_sets_leader(types, leader):
    record = dc_to_marc({"title": ["Ảnh tư liệu"], "type": types}, oai_identifier="oai:x:2", base_url=BASE,
                        entered=date(2026, 1, 1))
    assert str(record.leader) == leader
    dcmi = {"Image", "Moving Image", "Sound", "Collection", "Dataset", "StillImage"}
    assert [f.get("a") for f in record.get_fields("655")] == [t for t in types if t not in dcmi]
    assert lint(record) == []


def test_minimal_record_has_no_year_and_undetermined_language():
    record = dc_to_marc({"title": ["  Tài liệu\n  không ngày  "], "format": ["text/html; charset=utf-8"]},
                        oai_identifier="oai:x:3", base_url=BASE, entered=date(2026, 1, 1))
    assert record["008"].data == "260101nuuuuuuuuxx " + " " * 17 + "und d"
    assert record["245"].value() == "Tài liệu không ngày"
    assert fields(record)[-1] == "=856  \\\\$qtext/html; charset=utf-8"
    assert lint(record) == []


def test_text_is_nfc_and_empty_values_are_skipped():
    decomposed = unicodedata.normalize("NFD", "Đất rừng phương Nam")
    record = dc_to_marc({"title": [decomposed], "creator": ["", "  ", "Đoàn Giỏi"], "subject": ["\t"]},
                        oai_identifier="oai:x:4", base_url=BASE, entered=date(2026, 1, 1))
    assert record["245"]["a"] == "Đất rừng phương Nam" == unicodedata.normalize("NFC", decomposed)
    assert record["100"]["a"] == "Đoàn Giỏi"
    assert record.get_fields("653") == [] and record.get_fields("700") == []


def test_a_long_abstract_becomes_several_520s_and_the_record_exports():
    from thuvien.catalog.marc.writer import to_iso2709

    words = " ".join(f"Lịch sử Cao Bằng phần {i} đường biên giới" for i in range(1500))  # 85,889 bytes in UTF-8
    record = dc_to_marc({"title": ["Địa chí Cao Bằng"], "description": [words]}, oai_identifier="oai:x:6",
                        base_url=BASE, entered=date(2026, 1, 1))
    pieces = [f["a"] for f in record.get_fields("520")]
    assert len(pieces) == 10 and all(len(p.encode()) <= 9000 for p in pieces)
    assert " ".join(pieces) == words  # cut at spaces: nothing lost, nothing added
    assert len(to_iso2709(record)) < 99999
    assert split_text("x" * 20, limit=8) == ["x" * 8, "x" * 8, "x" * 4]  # one enormous word is cut inside
    assert split_text("ạ" * 5, limit=7) == ["ạạ", "ạạ", "ạ"]  # (3 bytes each) never inside a character


def test_no_title_is_refused():
    with pytest.raises(DCRecordError, match="without a title"):
        dc_to_marc({"title": ["   "], "creator": ["Nguyễn Du"]}, oai_identifier="oai:x:5", base_url=BASE,
                   entered=date(2026, 1, 1))


def test_helpers():
    assert [language_code(v) for v in ("vi", "vi_VN", "en-US", "EN", "vie", "deu", "Tiếng Anh", "xx", "Klingon")] == [
        "vie", "vie", "eng", "eng", "vie", "ger", "eng", None, None]
    assert first_year(["không rõ", "[1998?]"]) == "1998"
    assert first_year(["2015-03-02"]) == "2015"
    assert first_year(["12345", "số 3"]) is None
    root = SafeET.fromstring(f"<metadata>{DSPACE_XML.split('?>', 1)[1]}</metadata>".encode())
    assert find_dc(root) is not None and find_dc(root).tag.endswith("}dc")
