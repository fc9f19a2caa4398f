"""The digital copies' full text in the catalogue search: its own indexed field, matched by the
Vietnamese rules of docs/search.md at every word length, carried by the outbox and by `thuvien
reindex`, and shown on the results page as "Tìm thấy bên trong: trang N" with the words around."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from thuvien.catalog.services import bib_create
from thuvien.catalog.tests.fixtures import make_book
from thuvien.core.models import User
from thuvien.digital.models import Page
from thuvien.digital.services import page_text_update
from thuvien.search import engine
from thuvien.search.selectors import parse_user_query, record_search

PAGES = ["Lời giới thiệu.", "Núi Hà Quảng ở Cao Bằng, có hang Pác Bó và suối Lê-nin.",
         "Thác Bản Giốc đổ xuống sông Quây Sơn."]


def ids(query: str) -> list[int]:
    return record_search(query=parse_user_query(query), limit=50).record_ids


@pytest.fixture
def transcribed(net, admin_user, digital_object_factory):  # type: ignore[no-untyped-def]
    """A record titled without any of the pages' words, whose digital copy (no OCR) is transcribed by hand."""
    record = bib_create(actor=admin_user, record=make_book("Tư liệu địa phương", isbn="", place="Đà Lạt"), owner=net.a)
    other = bib_create(actor=admin_user, record=make_book("Hạ Long và núi đá", isbn="", place="Đà Lạt"), owner=net.a)
    assert ids("quang") == []  # the index is open now: what follows goes through the outbox
    obj = digital_object_factory(texts=["1", "2", "3"], record=record, ocr="none")
    actor = User.objects.filter(grants__unit=obj.unit).first()
    for page, text in zip(Page.objects.filter(obj=obj).order_by("order"), PAGES, strict=True):
        page_text_update(actor=actor, page=page, text=text)
    return {"record": record.pk, "other": other.pk, "obj": obj}


@pytest.mark.parametrize(("query", "expected"), [
    # short words, typed with their diacritics: each syllable literally
    ("Hà", ["record"]), ("núi Hà", ["record"]), ("Bằng", ["record"]), ("Bó", ["record"]), ("đổ", ["record"]),
    ("Hạ", ["other"]),  # "Hạ" is not "Hà"
    ("núi", ["other", "record"]),  # the other record has it in its title
    # the same typed without diacritics: every accented form
    ("ha quang", ["record"]), ("nui ha", ["other", "record"]), ("bo", ["record"]), ("ha", ["other", "record"]),
    ("pac bo", ["record"]), ("do", ["record"]), ("song quay", ["record"]),
    # the field by name
    ("toàn văn: núi", ["record"]), ("nhan đề: núi", ["other"]),
])
def test_short_words_of_the_full_text_match_with_and_without_diacritics(transcribed, query, expected):
    assert sorted(ids(query)) == sorted(transcribed[k] for k in expected)


@pytest.mark.parametrize("query", ["Bàng", "Bò", "hà quãng"])
def test_other_marks_are_other_words_found_only_when_diacritics_are_ignored(transcribed, query):
    result = record_search(query=parse_user_query(query))
    assert result.record_ids == [transcribed["record"]] and result.relaxed is True  # said so on the page
    assert record_search(query=parse_user_query("Bằng")).relaxed is False


def test_full_text_ranks_below_the_catalogue_fields(transcribed):
    assert ids("núi") == [transcribed["other"], transcribed["record"]]


def test_reindex_command_carries_the_full_text(transcribed, capsys):
    index = engine.current_index()
    assert index is not None
    index.release()
    engine._engine = None
    call_command("reindex", "--quiet-progress")
    assert "slot-0: 2 biểu ghi" in capsys.readouterr().out
    assert ids("Hà") == [transcribed["record"]]
    assert ids("suoi le nin") == [transcribed["record"]]


def test_results_say_found_inside_with_the_page_and_the_words(client, transcribed):
    obj = transcribed["obj"]
    html = client.get("/search/", {"q": "hà quảng"}).content.decode()
    assert "Tìm thấy bên trong:" in html
    assert f'<a href="/digital/{obj.uuid}/?page=2&amp;q=h%C3%A0%20qu%E1%BA%A3ng">trang 2</a>' in html
    assert ("<mark>Hà</mark> <mark>Quảng</mark> ở Cao Bằng, có hang Pác Bó và suối Lê-nin.</q>" in html)
    html = client.get("/search/", {"q": "thac ban gioc"}).content.decode()  # no diacritics: page 3
    assert f"/digital/{obj.uuid}/?page=3&amp;q=thac%20ban%20gioc" in html
    assert "<mark>Thác</mark> <mark>Bản</mark> <mark>Giốc</mark> đổ xuống sông Quây Sơn." in html
    html = client.get("/search/", {"q": "núi"}).content.decode()  # one record by title, one inside
    assert html.count("Tìm thấy bên trong:") == 1 and "?page=2&amp;q=n%C3%BAi" in html
    html = client.get("/search/", {"q": "Hạ"}).content.decode()  # the other record, no digital copy
    assert "Tìm thấy bên trong:" not in html


def test_a_page_with_stricter_access_of_its_own_is_not_indexed_nor_shown(client, transcribed):
    from django.utils import timezone

    page = Page.objects.get(obj=transcribed["obj"], order=3)
    Page.objects.filter(pk=page.pk).update(access="staff", updated_at=timezone.now())
    page.refresh_from_db()
    page_text_update(actor=User.objects.filter(grants__unit=page.obj.unit).first(), page=page,
                     text="Mỏ thiếc Tĩnh Túc.")  # re-indexes the record through the outbox
    assert ids("Tĩnh Túc") == [] and ids("tinh tuc") == []
    assert ids("Hà") == [transcribed["record"]]  # the public pages still are
    html = client.get("/search/", {"q": "hà"}).content.decode()
    assert "?page=2&amp;q=h%C3%A0" in html and "Tĩnh Túc" not in html
