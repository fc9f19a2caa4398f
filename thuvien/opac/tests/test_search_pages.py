"""The public catalogue pages: home, results with facets, record, MARC view, exports."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse


@pytest.fixture
def client_vn(vn_catalogue):
    return Client()


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_home_lists_new_acquisitions(client_vn, vn_catalogue):
    page = text(client_vn.get(reverse("opac:home")))
    assert "Tài liệu mới bổ sung" in page
    assert page.index("The tale of Kieu") < page.index("Mắt biếc") < page.index("Đất rừng")  # newest first
    assert "Truyện Kiều (bản cũ)" not in page


def test_results_with_highlights_facets_and_holdings_counts(client_vn, vn_catalogue):
    r = client_vn.get(reverse("opac:search"), {"q": "nguyen nhat anh"})
    page = text(r)
    assert r.status_code == 200
    assert "1–2 trong 2 kết quả" in page
    assert "<mark>Nguyễn</mark> <mark>Nhật</mark> <mark>Ánh</mark>" in page
    assert "1/1 bản sẵn sàng" in page
    assert 'href="/search/?q=nguyen+nhat+anh&amp;f=library%3AB"' in page  # facet link
    assert "Thư viện huyện B" in page  # facet labels are unit names


def test_facet_filter_and_scope(client_vn, vn_catalogue):
    page = text(client_vn.get(reverse("opac:search"), {"q": "nguyen", "f": "language:eng"}))
    assert "1–1 trong 1 kết quả" in page and "The tale of" in page
    page = text(client_vn.get(reverse("opac:search"), {"q": "", "library": "C"}))
    assert "1–1 trong 1 kết quả" in page and "Đất rừng phương Nam" in page


def test_empty_results_suggest_a_corrected_query(client_vn, vn_catalogue):
    page = text(client_vn.get(reverse("opac:search"), {"q": "phuong namm datt"}))
    assert "Không tìm thấy tài liệu nào" in page
    assert "Có phải bạn muốn tìm:" in page and ">phương Nam Đất</a>" in page


def test_syntax_error_is_shown_not_raised(client_vn, vn_catalogue):
    r = client_vn.get(reverse("opac:search"), {"q": '"Nam Cao'})
    assert r.status_code == 200
    assert "Thiếu dấu ngoặc kép đóng" in r.content.decode()


def test_paging_links(client_vn, vn_catalogue):
    page = text(client_vn.get(reverse("opac:search"), {"q": "", "sort": "title"}))
    assert "Trang 1/1" in page


def test_record_page_holdings_and_links(client_vn, vn_catalogue):
    rec = vn_catalogue["kieu"]
    page = text(client_vn.get(reverse("opac:record", args=[rec.pk])))
    assert "<h1>Truyện Kiều</h1>" in page
    assert "Thư viện huyện A" in page and "Thư viện huyện B" in page
    assert "Sẵn sàng" in page and "Đang cho mượn" in page
    assert 'href="/search/?q=t%C3%A1c+gi%E1%BA%A3%3A%22Nguy%E1%BB%85n+Du%22"' in page  # author -> new search
    assert "chủ+đề" in page or "ch%E1%BB%A7+%C4%91%E1%BB%81" in page
    assert f"/r/{rec.uuid}/" in page  # permalink


def test_author_link_finds_the_author(client_vn, vn_catalogue):
    page = text(client_vn.get(reverse("opac:search"), {"q": 'tác giả:"Nguyễn Du"'}))
    assert "1–2 trong 2 kết quả" in page


def test_permalink_redirects(client_vn, vn_catalogue):
    rec = vn_catalogue["matbiec"]
    r = client_vn.get(reverse("opac:permalink", args=[rec.uuid]))
    assert r.status_code == 302 and r["Location"] == reverse("opac:record", args=[rec.pk])


def test_deleted_record_is_404(client_vn, vn_catalogue):
    assert client_vn.get(reverse("opac:record", args=[vn_catalogue["deleted"].pk])).status_code == 404


def test_marc_view_and_exports(client_vn, vn_catalogue):
    rec = vn_catalogue["matbiec"]
    page = text(client_vn.get(reverse("opac:record_marc", args=[rec.pk])))
    assert '<span class="sf">$a</span> Mắt biếc' in page
    xml = client_vn.get(reverse("opac:record_export", args=[rec.pk, "marcxml"]))
    assert xml["Content-Type"].startswith("application/marcxml+xml")
    assert '<subfield code="a">Mắt biếc</subfield>' in xml.content.decode()
    iso = client_vn.get(reverse("opac:record_export", args=[rec.pk, "iso2709"])).content
    assert iso.endswith(b"\x1d") and "Mắt biếc".encode() in iso
    ris = client_vn.get(reverse("opac:record_export", args=[rec.pk, "ris"])).content.decode()
    assert ris.startswith("TY  - BOOK\r\nTI  - Mắt biếc\r\nAU  - Nguyễn Nhật Ánh\r\nPY  - 1990\r\n")
    bib = client_vn.get(reverse("opac:record_export", args=[rec.pk, "bibtex"])).content.decode()
    assert bib.startswith(f"@book{{anh1990_{rec.pk},\n  title = {{Mắt biếc}},\n  author = {{Nguyễn Nhật Ánh}}")
    assert client_vn.get(reverse("opac:record_export", args=[rec.pk, "pdf"])).status_code == 404


def test_advanced_search_builds_the_query(client_vn, vn_catalogue):
    r = client_vn.get(reverse("opac:advanced"), {"author": "Nam Cao", "year_from": "1942", "library": "A"})
    assert r.status_code == 302
    page = text(client_vn.get(r["Location"]))
    assert "Không tìm thấy" in page  # Lão Hạc (1943) has no copy in A; Chí Phèo is 1941
    assert client_vn.get(reverse("opac:advanced")).status_code == 200


def test_autocomplete_fragment(client_vn, vn_catalogue):
    page = text(client_vn.get(reverse("opac:suggest"), {"q": "mat bi"}))
    assert "<mark>Mắt</mark> <mark>biếc</mark>" in page
