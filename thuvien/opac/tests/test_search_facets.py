"""The results page around the hits: facets people use (names, not codes), removable filters, the honest
notes, and the zero-hit page (did-you-mean, the whole network, tips)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from thuvien.opac.search_page import facet_label


@pytest.fixture
def page(vn_catalogue):  # type: ignore[no-untyped-def]
    client = Client()

    def get(**params: object):  # type: ignore[no-untyped-def]
        response = client.get("/search/", params)
        assert response.status_code == 200
        return response
    return get


def facet(response, name: str) -> dict[str, tuple[str, int]]:
    box = next(b for b in response.context["facets"] if b.name == name)
    return {e["value"]: (e["label"], e["count"]) for e in box.entries + box.more}


def params(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def test_facets_name_things_and_count_right(page):
    r = page(q="")
    assert r.context["total"] == 9
    assert facet(r, "author")["Nguyễn Du"] == ("Nguyễn Du", 2) and facet(r, "author")["Nam Cao"] == ("Nam Cao", 2)
    assert facet(r, "ddc_hundreds")["800"] == ("800 Văn học", 7)
    assert facet(r, "ddc_tens")["890"] == ("890 Văn học các ngôn ngữ khác (có văn học Việt Nam)", 7)
    assert facet(r, "ddc_tens")["910"] == ("910 Địa lý và du lịch", 1)
    assert facet(r, "library")["A"] == ("Thư viện huyện A", 4) and facet(r, "library")["C"] == ("Phòng đọc xã C", 1)
    assert facet(r, "language") == {"vie": ("Tiếng Việt", 8), "eng": ("Tiếng Anh", 1)}
    assert facet(r, "material_type") == {"book": ("Sách", 9)}
    assert facet(r, "availability") == {"available": ("Còn sẵn để mượn", 6)}
    assert facet(r, "subject")["Văn học Việt Nam"] == ("Văn học Việt Nam", 5)
    assert "Tác giả" in r.text and "Phân môn DDC" in r.text


def test_author_facet_filters_and_each_filter_is_removable(page, vn_catalogue):
    r = page(q="", f="author:Nguyễn Nhật Ánh")
    assert sorted(vn_catalogue.keys(r.context["results"][i]["record"].pk for i in range(2))) == \
        ["matbiec", "vetuoitho"] and r.context["total"] == 2
    chosen = facet(r, "author")
    assert chosen == {"Nguyễn Nhật Ánh": ("Nguyễn Nhật Ánh", 2)}
    [active] = r.context["active"]
    assert active["label"] == "Tác giả: Nguyễn Nhật Ánh" and params(active["url"]) == [("q", "")]
    both = page(q="", f=["author:Nguyễn Nhật Ánh", "ddc_tens:890"])
    assert both.context["total"] == 2 and len(both.context["active"]) == 2
    assert [params(a["url"]) for a in both.context["active"]] == [[("q", ""), ("f", "ddc_tens:890")],
                                                                  [("q", ""), ("f", "author:Nguyễn Nhật Ánh")]]


def test_year_range_from_the_facet_boxes(page, vn_catalogue):
    r = page(q="", yf="1990", yt="2000")
    assert sorted(vn_catalogue.keys(h["record"].pk for h in r.context["results"])) == ["datrung", "kieu", "matbiec"]
    [active] = r.context["active"]
    assert active["label"] == "Năm xuất bản: 1990–2000" and params(active["url"]) == [("q", "")]
    assert (r.context["year_from"], r.context["year_to"]) == (1990, 2000)
    later = page(q="", f="years:2005-")
    assert sorted(vn_catalogue.keys(h["record"].pk for h in later.context["results"])) == \
        ["caonguyen", "mattroi", "vetuoitho"]
    assert page(q="", yf="abc", yt="").context["total"] == 9  # not a year: no filter, no error
    assert facet_label("years", "-1950", {}) == "đến 1950"


def test_notes_say_what_happened(page):
    exact = page(q="Truyện Kiều")
    assert exact.context["total"] == 1 and "note-relaxed" not in exact.text and "note-fuzzy" not in exact.text
    relaxed = page(q="Truyện Kiêu")
    assert relaxed.context["total"] == 1 and "note-relaxed" in relaxed.text and "note-fuzzy" not in relaxed.text
    typo = page(q="phuongg nam")
    assert typo.context["total"] == 1 and "note-fuzzy" in typo.text


def test_zero_hits_offer_spelling_the_whole_network_and_tips(page):
    r = page(q="truyen kieu", library="C")  # C, a commune reading room, has only Đất rừng phương Nam
    assert r.context["total"] == 0
    assert r.context["suggestion"] == "Truyện Kiều" and params(r.context["suggestion_url"]) == [("q", "Truyện Kiều")]
    assert r.context["network_total"] == 1 and params(r.context["network_url"]) == [("q", "truyen kieu")]
    assert 'id="search-network"' in r.text and "Mẹo tìm kiếm" in r.text
    nothing = page(q="xyzzyq")
    assert nothing.context["total"] == 0 and nothing.context["suggestion"] is None
    assert "Mẹo tìm kiếm" in nothing.text and "Thử cách khác" not in nothing.text
    filtered = page(q="kieu", f="language:fre")
    assert filtered.context["total"] == 0 and params(filtered.context["unfiltered_url"]) == [("q", "kieu")]


def test_api_has_the_author_facet_and_filter(vn_catalogue):
    body = Client().get("/api/v1/search", {"q": "", "author": "Nam Cao"}).json()
    assert body["total"] == 2 and sorted(r["title"] for r in body["results"]) == ["Chí Phèo", "Lão Hạc"]
    assert dict(body["facets"]["author"]) == {"Nam Cao": 2}
