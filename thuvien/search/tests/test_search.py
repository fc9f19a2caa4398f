"""Searching the Vietnamese fixture catalogue through the selector used by the OPAC, API and SRU."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from thuvien.search.query import And, MatchAll, Not, Or, Range, Term
from thuvien.search.selectors import parse_user_query, record_search


def keys(cat, query, **kw):
    result = record_search(query=parse_user_query(query) if isinstance(query, str) else query, **kw)
    return cat.keys(result.record_ids)


def test_unaccented_and_accented_queries_find_the_same_record(vn_catalogue):
    assert keys(vn_catalogue, "truyen kieu") == ["kieu"]
    assert keys(vn_catalogue, "Truyện Kiều") == ["kieu"]
    assert keys(vn_catalogue, "TRUYỆN KIỀU") == ["kieu"]
    assert keys(vn_catalogue, "nguyen nhat anh") == keys(vn_catalogue, "Nguyễn Nhật Ánh")
    assert sorted(keys(vn_catalogue, "nguyen nhat anh")) == ["matbiec", "vetuoitho"]


def test_decomposed_unicode_matches_precomposed(vn_catalogue):
    import unicodedata

    assert keys(vn_catalogue, unicodedata.normalize("NFD", "Mắt biếc")) == ["matbiec"]


@pytest.mark.parametrize("query", ["dat rung phuong nam", "Đất rừng", "đất rừng", "Ðất rừng", "DAT RUNG"])
def test_d_with_stroke_folds_to_d(vn_catalogue, query):
    assert keys(vn_catalogue, query) == ["datrung"]


def test_accented_query_is_taken_literally(vn_catalogue):
    assert keys(vn_catalogue, "Mắt") == ["matbiec"]
    assert keys(vn_catalogue, "Mặt") == ["mattroi"]
    # Without accents both match; neither is preferred for its accents.
    assert sorted(keys(vn_catalogue, "mat")) == ["matbiec", "mattroi"]


def test_adjacent_syllables_are_boosted(vn_catalogue):
    # "Nam Cao" as an author beats a title holding "Cao ... Nam" apart, although titles weigh more.
    ranked = keys(vn_catalogue, "nam cao")
    assert sorted(ranked[:2]) == ["chipheo", "laohac"]
    assert ranked[2:] == ["caonguyen"]


def test_phrase_requires_adjacency(vn_catalogue):
    assert sorted(keys(vn_catalogue, '"nam cao"')) == ["chipheo", "laohac"]
    assert keys(vn_catalogue, '"phuong nam"') == ["datrung"]
    assert keys(vn_catalogue, '"nam phuong"') == []


def test_typo_within_one_edit_for_longer_words(vn_catalogue):
    result = record_search(query=parse_user_query("phuongg nam"))
    assert vn_catalogue.keys(result.record_ids) == ["datrung"]
    assert result.fuzzy is True
    assert keys(vn_catalogue, "nguyn nhat anh")[:2] in (["matbiec", "vetuoitho"], ["vetuoitho", "matbiec"])
    # Short words must match exactly: "mag" is not "mat".
    assert keys(vn_catalogue, "mag") == []


@pytest.mark.parametrize("isbn", ["978-0-306-40615-7", "9780306406157", "0-306-40615-2", "0306406152",
                                  "isbn:0 306 40615 2"])
def test_isbn_in_any_form(vn_catalogue, isbn):
    assert keys(vn_catalogue, isbn) == ["datrung"]


def test_isbn_with_hyphens_stored(vn_catalogue):
    assert keys(vn_catalogue, "9786041000001") == ["vetuoitho"]
    assert keys(vn_catalogue, Term("isbn", "978-604-1-00000-1")) == ["vetuoitho"]


def test_fields_and_exclusion(vn_catalogue):
    assert sorted(keys(vn_catalogue, 'tac gia:"Nam Cao"')) == ["chipheo", "laohac"]
    assert sorted(keys(vn_catalogue, 'tác giả:"nam cao"')) == ["chipheo", "laohac"]
    assert sorted(keys(vn_catalogue, "nhan de:kieu")) == ["kieu", "talekieu"]
    assert keys(vn_catalogue, "kieu -tale") == ["kieu"]
    assert sorted(keys(vn_catalogue, "author:nguyen -nhat")) == ["kieu", "talekieu"]
    assert keys(vn_catalogue, "chu de:thien van") == ["mattroi"]
    assert sorted(keys(vn_catalogue, "nam:1940-1945")) == ["chipheo", "laohac"]
    assert keys(vn_catalogue, "ngon ngu:eng") == ["talekieu"]
    assert keys(vn_catalogue, Term("control_number", "VN00003")) == ["matbiec"]
    assert sorted(keys(vn_catalogue, Term("ddc", "520"))) == ["mattroi"]


def test_tree_nodes(vn_catalogue):
    assert sorted(keys(vn_catalogue, Or((Term("title", "lao hac"), Term("title", "chi pheo"))))) == ["chipheo", "laohac"]
    assert keys(vn_catalogue, And((Term("author", "Nam Cao"), Range("year", 1942, None)))) == ["laohac"]
    assert keys(vn_catalogue, Not(Term("author", "nam cao", phrase=True), Term("title", "lao"))) == ["chipheo"]
    assert keys(vn_catalogue, Term("title", "Mắt", exact=True)) == ["matbiec"]
    assert sorted(keys(vn_catalogue, Term("any", "kieu pheo", any_word=True))) == ["chipheo", "kieu", "talekieu"]


def test_prefix_search(vn_catalogue):
    assert sorted(keys(vn_catalogue, "nhat*")) == ["matbiec", "vetuoitho"]
    assert keys(vn_catalogue, Term("title", "dat ru", truncated=True)) == ["datrung"]


def test_deleted_records_never_appear(vn_catalogue):
    assert "deleted" not in keys(vn_catalogue, "truyen kieu ban cu")
    assert "deleted" not in keys(vn_catalogue, MatchAll(), limit=100)
    assert record_search(query=MatchAll()).total == 9


def test_highlights_mark_matched_words_with_accents(vn_catalogue):
    hit = record_search(query=parse_user_query("dat rung"), limit=1).hits[0]
    assert hit.highlights["title"] == "<mark>Đất</mark> <mark>rừng</mark> phương Nam"


def test_facet_counts(vn_catalogue):
    result = record_search(query=parse_user_query("nguyen"), facets=True)
    assert result.total == 5  # kieu, matbiec, vetuoitho, talekieu + caonguyen ("nguyên")
    f = result.facets
    assert f["language"] == [("vie", 4), ("eng", 1)]
    assert dict(f["library"]) == {"A": 2, "B": 4}
    assert dict(f["ddc_hundreds"]) == {"800": 4, "900": 1}
    assert dict(f["ddc_tens"]) == {"890": 4, "910": 1}
    assert dict(f["year"]) == {"1990": 2, "2008": 1, "1983": 1, "2010": 1}
    assert dict(f["subject"])["Văn học Việt Nam"] == 3
    assert dict(f["availability"]) == {"available": 5, "unavailable": 0}
    assert f["material_type"] == [("book", 5)]


def test_facet_filters(vn_catalogue):
    q = parse_user_query("nguyen")
    assert keys(vn_catalogue, q, filters={"language": ["eng"]}) == ["talekieu"]
    assert sorted(keys(vn_catalogue, q, filters={"year": ["1990"]})) == ["kieu", "matbiec"]
    assert sorted(keys(vn_catalogue, MatchAll(), filters={"availability": ["available"]})) == \
        ["caonguyen", "datrung", "kieu", "matbiec", "talekieu", "vetuoitho"]


def test_scope_by_library_subtree(vn_catalogue):
    net = vn_catalogue.net
    assert sorted(keys(vn_catalogue, MatchAll(), library=net.a, limit=50)) == \
        ["chipheo", "datrung", "kieu", "mattroi", "vetuoitho"]  # A and commune C below it
    assert sorted(keys(vn_catalogue, MatchAll(), library=net.c)) == ["datrung"]
    assert sorted(keys(vn_catalogue, MatchAll(), library=net.b, limit=50)) == \
        ["caonguyen", "kieu", "matbiec", "talekieu"]
    assert record_search(query=MatchAll(), library=net.province).total == 8  # Lão Hạc has no copies
    assert sorted(keys(vn_catalogue, Term("library", "A"))) == ["chipheo", "datrung", "kieu", "mattroi", "vetuoitho"]


def test_availability_facet_is_per_scope(vn_catalogue):
    net = vn_catalogue.net
    result = record_search(query=parse_user_query("truyen kieu"), library=net.a, facets=True)
    assert dict(result.facets["availability"]) == {"available": 1, "unavailable": 0}
    result = record_search(query=parse_user_query("chi pheo"), library=net.a, facets=True)
    assert dict(result.facets["availability"]) == {"available": 0, "unavailable": 1}
    # The library facet only lists units inside the scope.
    result = record_search(query=MatchAll(), library=net.a, facets=True)
    assert dict(result.facets["library"]) == {"A": 4, "C": 1}


def test_vietnamese_title_sort(vn_catalogue):
    assert keys(vn_catalogue, MatchAll(), sort="title", limit=20) == [
        "caonguyen", "chipheo", "vetuoitho", "datrung", "laohac", "matbiec", "mattroi", "talekieu", "kieu"]


def test_author_and_year_sorts(vn_catalogue):
    by_author = keys(vn_catalogue, Term("author", "nguyen"), sort="author")
    assert sorted(by_author[:2]) == ["kieu", "talekieu"]  # Nguyễn Du before Nguyễn Nhật Ánh
    assert sorted(by_author[2:]) == ["matbiec", "vetuoitho"]
    assert keys(vn_catalogue, MatchAll(), sort="newest", limit=3) == ["caonguyen", "vetuoitho", "mattroi"]
    assert keys(vn_catalogue, MatchAll(), sort="oldest", limit=3) == ["chipheo", "laohac", "talekieu"]


def test_paging(vn_catalogue):
    all_keys = keys(vn_catalogue, MatchAll(), sort="title", limit=20)
    page2 = record_search(query=MatchAll(), sort="title", offset=3, limit=3)
    assert page2.total == 9
    assert vn_catalogue.keys(page2.record_ids) == all_keys[3:6]


def test_unknown_sort_is_rejected(vn_catalogue):
    with pytest.raises(ValueError, match="sort"):
        record_search(query=MatchAll(), sort="random")


def test_search_runs_a_constant_number_of_queries(vn_catalogue):
    record_search(query=MatchAll())  # open and build the index first
    net = vn_catalogue.net
    with CaptureQueriesContext(connection) as ctx:
        record_search(query=parse_user_query("nguyen nhat anh"), facets=True, limit=20)
    assert len(ctx.captured_queries) == 1  # the outbox check
    with CaptureQueriesContext(connection) as ctx:
        record_search(query=parse_user_query("nguyen"), library=net.a, facets=True, limit=20)
    assert len(ctx.captured_queries) == 2  # outbox + the scope's units
