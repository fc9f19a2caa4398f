"""Vietnamese personal names in direct order (TCVN 7539: MARC 100 first indicator 0) in quick cataloguing
and the demo, and duplicate checks that ignore punctuation, case and tone placement."""

from __future__ import annotations

import pymarc
import pytest

from thuvien.catalog import demo, selectors, services
from thuvien.catalog.models import BibRecord
from thuvien.catalog.quick import personal_name
from thuvien.catalog.tests.fixtures import make_book


@pytest.mark.parametrize(("typed", "expected"), [
    ("Nguyễn, Du", ("Nguyễn Du", "0")),
    ("Nguyễn Du", ("Nguyễn Du", "0")),
    (" Tô,  Hoài ", ("Tô Hoài", "0")),
    ("Vũ, Trọng Phụng", ("Vũ Trọng Phụng", "0")),
    ("Nam Cao", ("Nam Cao", "0")),
    ("Marshall, Tim", ("Marshall, Tim", "1")),
    ("Nguyễn, Du, 1765-1820", ("Nguyễn, Du, 1765-1820", "1")),  # dates: left for the cataloguer
    ("Homer", ("Homer", "0")),
])
def test_personal_name_direct_order(typed, expected):
    assert personal_name(typed) == expected


def test_quick_record_writes_vietnamese_names_in_direct_order():
    record = make_book("Truyện Kiều", authors=["Nguyễn, Du", "Đào, Duy Anh", "Thomson, Robert"])
    assert (record["100"].indicator1, record["100"]["a"]) == ("0", "Nguyễn Du")
    assert [(f.indicator1, f["a"]) for f in record.get_fields("700")] == [("0", "Đào Duy Anh"),
                                                                          ("1", "Thomson, Robert")]
    assert record["245"]["c"] == "Nguyễn Du, Đào Duy Anh, Thomson, Robert"


def test_demo_classics_name_authors_in_direct_order():
    headings = [(f.indicator1, f["a"]) for r in demo._classics("CB") for f in r.get_fields("100")]
    assert ("0", "Nguyễn Du") in headings and ("0", "Tô Hoài") in headings and ("0", "Vũ Trọng Phụng") in headings
    assert all(ind == "0" and "," not in name for ind, name in headings)


def _legacy_inverted(title: str) -> pymarc.Record:
    """A record as older catalogues wrote it: "Nguyễn, Du", indicator 1, ISBD full stop."""
    record = make_book(title, authors=[], isbn="", year=2019)
    record.add_ordered_field(pymarc.Field(tag="100", indicators=pymarc.Indicators("1", " "),
                                          subfields=[pymarc.Subfield("a", "Nguyễn, Du.")]))
    return record


def test_duplicate_check_ignores_punctuation_case_and_tone_placement(net, cataloguer_a):
    kieu = services.bib_create(actor=cataloguer_a, record=_legacy_inverted("Truyện Kiều"), owner=net.a)
    hoa = services.bib_create(actor=cataloguer_a, record=make_book("Hoà bình", authors=["Lê Văn Thuỷ"], isbn=""),
                              owner=net.a)
    assert kieu.main_author.startswith("Nguyễn, Du")
    for title, author in [("Truyện Kiều", "Nguyễn Du"), ("TRUYỆN KIỀU.", "nguyễn du"), ("Truyện Kiều", "")]:
        assert selectors.bib_duplicates(isbns=[], title=title, main_author=author, year=2019) == [kieu]
    assert selectors.bib_duplicates(isbns=[], title="Hòa bình", main_author="Lê Văn Thủy", year=2019) == [hoa]
    ki = services.bib_create(actor=cataloguer_a, record=make_book("Kĩ năng sống", authors=["Lê Minh"], isbn=""),
                             owner=net.a)
    assert selectors.bib_duplicates(isbns=[], title="Kỹ năng sống", main_author="Lê Minh", year=2019) == [ki]
    # a different author, another word or another year is not the same book
    assert selectors.bib_duplicates(isbns=[], title="Truyện Kiều", main_author="Nguyễn Dữ", year=2019) == []
    assert selectors.bib_duplicates(isbns=[], title="Truyện Kiệu", main_author="Nguyễn Du", year=2019) == []
    assert selectors.bib_duplicates(isbns=[], title="Truyện Kiều", main_author="Nguyễn Du", year=2020) == []


def test_quick_form_catches_an_exact_duplicate_of_truyen_kieu(client, net, cataloguer_a):
    kieu = services.bib_create(actor=cataloguer_a, record=_legacy_inverted("Truyện Kiều"), owner=net.a)
    client.force_login(cataloguer_a)
    data = {"title": "Truyện Kiều", "authors": "Nguyễn Du", "publisher": "Kim Đồng", "place": "Hà Nội",
            "year": "2019", "ddc": "895.9221", "subjects": "Thơ", "language": "vie", "size": "21 cm",
            "library": net.a.pk, "barcodes": "A-1", "item_type": "book"}
    page = client.post("/staff/catalog/new/", data)
    assert page.status_code == 200 and page.context["duplicates"] == [kieu]
    assert BibRecord.objects.count() == 1
