"""The catalogue search finds a record by a word of its digital copy's OCR text, and the material
type facet has a "digital" value that filters records with a digital copy."""

from __future__ import annotations

from thuvien.catalog.services import bib_create
from thuvien.catalog.tests.fixtures import make_book
from thuvien.search.query import MatchAll
from thuvien.search.selectors import record_search
from thuvien.search.syntax import parse_user_query


def test_ocr_text_found_in_catalogue_search_and_digital_facet(net, admin_user, digital_object_factory):
    digitised = bib_create(actor=admin_user, record=make_book("Địa chí Cao Bằng", isbn=""), owner=net.a)
    plain = bib_create(actor=admin_user, record=make_book("Truyện cổ Tày", isbn=""), owner=net.a)
    restricted = bib_create(actor=admin_user, record=make_book("Gia phả", isbn=""), owner=net.a)
    assert record_search(query=parse_user_query("truong")).record_ids == []  # the index is open now
    digital_object_factory(texts=["Hang Pác Bó ở xã Trường Hà."], record=digitised)  # re-indexed via the outbox
    digital_object_factory(texts=["Chợ phiên Trùng Khánh."], record=restricted, access="staff")
    found = record_search(query=parse_user_query("truong"))
    assert found.record_ids == [digitised.pk]
    assert record_search(query=parse_user_query("trung khanh")).record_ids == []  # restricted text stays out
    result = record_search(query=MatchAll(), facets=True, filters={"material_type": ["digital"]})
    assert sorted(result.record_ids) == sorted([digitised.pk, restricted.pk])
    assert ("digital", 2) in result.facets["material_type"]
    assert plain.pk not in result.record_ids


def test_results_mark_digital_copies_and_show_the_page_found_inside(client, net, admin_user,
                                                                     digital_object_factory):
    digitised = bib_create(actor=admin_user, record=make_book("Địa chí Cao Bằng", isbn=""), owner=net.a)
    restricted = bib_create(actor=admin_user, record=make_book("Gia phả Cao Bằng", isbn=""), owner=net.a)
    obj = digital_object_factory(texts=["Trang đầu.", "Thác Bản Giốc trên sông Quây Sơn ở Trùng Khánh."],
                                 record=digitised)
    digital_object_factory(texts=["Sông Quây Sơn."], record=restricted, access="registered")
    html = client.get("/search/", {"q": "cao bang song quay"}).content.decode()
    assert "Tìm thấy bên trong" not in html  # the words "cao bang song quay" are on no one page...
    assert html.count('class="inside"') == 1  # ...but the record that matches is marked
    html = client.get("/search/", {"q": "sông Quây"}).content.decode()
    assert f'href="/digital/{obj.uuid}/?page=2&amp;q=s%C3%B4ng%20Qu%C3%A2y">trang 2</a>' in html
    assert "Tìm thấy bên trong:" in html
    assert "Thác Bản Giốc trên <mark>sông</mark> <mark>Quây</mark> Sơn ở Trùng Khánh." in html
    html = client.get("/search/", {"q": "cao bang"}).content.decode()
    assert html.count('class="inside"') == 2 and "Tìm thấy bên trong" not in html  # no page holds "cao bang"
