"""The shortcuts that keep searches fast on a million records give exactly the slow paths' answers:
indexed prefixes versus regex expansion, facet counts from library sets versus direct counts, and the
facet cache, which forgets as soon as the index changes."""

from __future__ import annotations

import pytest

from thuvien.catalog.models import ItemStatus
from thuvien.catalog.services import item_update
from thuvien.core.text import collation_key
from thuvien.search import compile as compile_mod
from thuvien.search import selectors
from thuvien.search.documents import fast_collation_key, prefix_grams
from thuvien.search.query import MatchAll, Term
from thuvien.search.selectors import parse_user_query, record_search


def _ranked(query, **kw):
    return [(h.record_id, round(h.score, 5)) for h in record_search(query=query, limit=50, **kw).hits]


@pytest.mark.parametrize("text", ["ng*", "nh*", "nhat*", "ca*", "ma*", "mat*", "tr*", "d*", "Mắ*", "dat ru*"])
def test_indexed_prefixes_rank_like_regex_expansion(vn_catalogue, monkeypatch, text):
    query = parse_user_query(text)
    fast = _ranked(query)
    monkeypatch.setattr(compile_mod, "PREFIX_GRAMS", 0)  # every prefix through the regex path
    assert fast == _ranked(query)
    assert fast  # every one of these prefixes finds something in the fixture catalogue


def test_indexed_prefixes_of_one_field(vn_catalogue, monkeypatch):
    query = Term("author", "ng", truncated=True)
    fast = _ranked(query)
    monkeypatch.setattr(compile_mod, "PREFIX_GRAMS", 0)
    assert fast == _ranked(query)
    assert sorted(vn_catalogue.keys([rid for rid, _ in fast])) == ["kieu", "matbiec", "talekieu", "vetuoitho"]


def test_prefix_grams_follow_the_index_tokenizer():
    assert prefix_grams("nguyen nhat anh dat_rung 3.14 a") == "ng ngu nguy nh nha nhat an anh da dat ru run rung 14"


@pytest.mark.parametrize("text", ["", "  Đất   rừng phương Nam ", "Truyện Kiều 1990!", "Ông\u00a0già và biển cả",
                                  "ก้าว ไกล", "1. Ab--cd", "Mắt biếc"])
def test_fast_collation_key_is_collation_key(text):
    assert fast_collation_key(text) == collation_key(text)


def _all_facets(**kw):
    return record_search(query=kw.pop("query", MatchAll()), facets=True, **kw).facets


@pytest.mark.parametrize("scope", [None, "A", "B", "C"])
def test_facets_from_library_sets_equal_direct_counts(vn_catalogue, monkeypatch, scope):
    library = {"A": vn_catalogue.net.a, "B": vn_catalogue.net.b, "C": vn_catalogue.net.c}.get(scope or "")
    from_sets = _all_facets(library=library)
    monkeypatch.setattr(selectors, "SET_BUCKETS", 1)  # more distinct sets than buckets: direct counts
    direct = _all_facets(library=library)
    assert from_sets == direct
    expected_available = {None: 6, "A": 3, "B": 3, "C": 1}[scope]
    assert dict(from_sets["availability"])["available"] == expected_available


def test_facet_cache_forgets_when_the_index_changes(vn_catalogue, admin_user, monkeypatch):
    monkeypatch.setattr(selectors, "FACET_CACHE_MIN_TOTAL", 0)
    selectors._facet_cache.clear()
    net = vn_catalogue.net
    first = _all_facets(library=net.b)
    assert dict(first["availability"]) == {"available": 3, "unavailable": 1}
    assert _all_facets(library=net.b) == first
    assert len(selectors._facet_cache) == 1
    item = vn_catalogue["matbiec"].items.get()
    item_update(actor=admin_user, item=item, status=ItemStatus.MISSING)  # (on loan is set by the desk only)
    assert dict(_all_facets(library=net.b)["availability"]) == {"available": 2, "unavailable": 2}
    # Other scopes and filters are other entries.
    assert dict(_all_facets(library=net.a)["availability"]) == {"available": 3, "unavailable": 2}
    assert dict(_all_facets(library=net.b, filters={"language": ["eng"]})["language"]) == {"eng": 1}
