"""The Vietnamese matching rules of docs/search.md, word by word, with real syllables."""

from __future__ import annotations

from typing import Any

import pytest

from thuvien.catalog.services import bib_create
from thuvien.core.text import fold_key, match_key, syllable_key
from thuvien.search.selectors import parse_user_query, record_search, suggest_query
from thuvien.search.tests.fixtures import marc_for

BASE: dict[str, Any] = dict(year=2000, isbn="", ddc="895.9223", publisher="Văn học", lang="vie", subjects=[])
# key: (title, author)
BOOKS = {
    "du": ("Truyện Kiều", "Nguyễn Du"),
    "du_2": ("Văn chiêu hồn", "Nguyễn Du"),
    "du_dot": ("Gia phả", "Nguyễn Dự"),
    "du_stroke": ("Cây đa đầu làng", "Nguyễn Đu"),
    "du_tilde": ("Sóng ngầm", "Nguyễn Dữ"),
    "duy": ("Cái dũng của thánh nhân", "Nguyễn Duy"),
    "hoa_old": ("Hoà bình và chiến tranh", "Lev Tolstoy"),
    "hoa_new": ("Hòa giải trong gia đình", "Trần Văn Hòa"),
    "thuy_old": ("Nguyệt lam phù thuỷ", "Kuji Furumiya"),
    "thuy_new": ("Harry Potter và hòn đá phù thủy", "J. K. Rowling"),
    "ki_i": ("Kĩ năng sống cho học sinh", "Lê Minh"),
    "ki_y": ("Kỹ năng giao tiếp", "Lý Tử Quyên"),
    "li_i": ("Lí luận văn học", "Phương Lựu"),
    "my_i": ("Lịch sử nước Mĩ", "Howard Zinn"),
    "my_y": ("Những vị thần nước Mỹ", "Neil Gaiman"),
    "nguyen_vow": ("Lời nguyện cầu", "Phạm Thị Hoài"),
    "about_nna": ("Đọc Nguyễn Nhật Ánh", "Lê Văn Ba"),
    "nna_1": ("Mắt biếc", "Nguyễn Nhật Ánh"),
    "nna_2": ("Kính vạn hoa", "Nguyễn Nhật Ánh"),
    "scattered": ("Miền Nam mặt trận và phương Bắc", "Vũ Bằng"),
    "phrase": ("Đất rừng phương Nam", "Đoàn Giỏi"),
}


@pytest.fixture
def books(net, admin_user) -> dict[str, int]:  # type: ignore[no-untyped-def]
    ids = {}
    for n, (key, (title, author)) in enumerate(BOOKS.items(), 1):
        spec = {**BASE, "title": title, "author": author}
        ids[key] = bib_create(actor=admin_user, record=marc_for(spec, f"MR{n:04d}"), owner=net.province).pk
    return ids


def found(books: dict[str, int], query: str) -> list[str]:
    by_id = {v: k for k, v in books.items()}
    return [by_id[i] for i in record_search(query=parse_user_query(query), limit=50).record_ids]


def test_syllable_keys():
    assert syllable_key("Hoà") == syllable_key("hòa") == "hoa2"
    assert syllable_key("thuỷ") == syllable_key("thủy")
    assert syllable_key("kĩ") == syllable_key("kỹ") and syllable_key("lí") == syllable_key("lý")
    assert syllable_key("Mĩ") == syllable_key("Mỹ") and syllable_key("quí") == syllable_key("quý")
    assert len({syllable_key(w) for w in ("Du", "Dự", "Đu", "Dữ", "Duy", "Dù")}) == 6
    assert syllable_key("Ðu") == syllable_key("đu")  # U+00D0, typed for Đ
    assert syllable_key("tuy") != syllable_key("tui") and syllable_key("y") == "y"  # y after a vowel, or alone, stays
    assert fold_key("Kỹ") == fold_key("kĩ") == "ki"
    assert match_key("Nguyễn, Du.") == match_key("nguyễn du")


def test_accented_query_is_literal(books):
    assert sorted(found(books, "Nguyễn Du")) == ["du", "du_2"]
    assert sorted(found(books, "NGUYỄN DU")) == ["du", "du_2"]
    assert found(books, "Nguyễn Dự") == ["du_dot"]
    assert found(books, "Nguyễn Đu") == ["du_stroke"]
    assert found(books, "nguyễn đu") == ["du_stroke"]
    assert found(books, "Nguyễn Ðu") == ["du_stroke"]  # ETH look-alike
    assert found(books, "Nguyễn Dữ") == ["du_tilde"]


def test_unaccented_query_matches_every_form_exact_reading_first(books):
    result = found(books, "nguyen du")
    assert sorted(result[:2]) == ["du", "du_2"]  # the commonest reading, "Nguyễn Du", first
    assert sorted(result) == ["du", "du_2", "du_dot", "du_stroke", "du_tilde"]  # never "Duy"


@pytest.mark.parametrize(("query", "expected"), [
    ("hoà", ["hoa_new", "hoa_old"]), ("hòa", ["hoa_new", "hoa_old"]),
    ("phù thuỷ", ["thuy_new", "thuy_old"]), ("phù thủy", ["thuy_new", "thuy_old"]),
    ("kĩ năng", ["ki_i", "ki_y"]), ("kỹ năng", ["ki_i", "ki_y"]), ("ky nang", ["ki_i", "ki_y"]),
    ("lý luận", ["li_i"]), ("nước Mỹ", ["my_i", "my_y"]), ("nuoc mi", ["my_i", "my_y"]),
])
def test_tone_placement_and_i_y_spellings_are_one_word(books, query, expected):
    assert sorted(found(books, query)) == expected


def test_strict_query_falls_back_to_folded_and_says_so(books):
    result = record_search(query=parse_user_query("Truyện Kiêu"))  # wrong mark on Kiều
    assert [books["du"]] == result.record_ids and result.relaxed is True and result.fuzzy is False
    exact = record_search(query=parse_user_query("Truyện Kiều"))
    assert exact.record_ids == [books["du"]] and exact.relaxed is False


def test_similar_spelling_note_only_when_it_found_something(books):
    spelled_right = record_search(query=parse_user_query("Truyện Kiều"))
    assert spelled_right.fuzzy is False
    typo = record_search(query=parse_user_query("phuongg nam"))
    assert typo.record_ids == [books["phrase"], books["scattered"]] and typo.fuzzy is True
    # "xyzzyq" is expanded, finds nothing; the hits come from "kieu" alone: no note
    either = record_search(query=parse_user_query("kieu OR xyzzyq"))
    assert either.record_ids == [books["du"]] and either.fuzzy is False


def test_author_heading_ranks_the_authors_works_first(books):
    ranked = found(books, "nguyen nhat anh")
    assert sorted(ranked[:2]) == ["nna_1", "nna_2"] and ranked[2:] == ["about_nna"]
    ranked = found(books, "Nguyễn Nhật Ánh")
    assert sorted(ranked[:2]) == ["nna_1", "nna_2"] and ranked[2:] == ["about_nna"]


def test_unaccented_word_prefers_its_commonest_accented_form(books):
    ranked = found(books, "nguyen")
    assert ranked.index("nguyen_vow") > max(ranked.index(k) for k in ("du", "du_2", "du_dot", "nna_1", "nna_2"))


def test_title_phrase_ranks_above_scattered_words(books):
    assert found(books, "phuong nam") == ["phrase", "scattered"]
    assert found(books, '"phuong nam"') == ["phrase"]
    ranked = found(books, "mien nam")
    assert ranked == ["scattered"]
    both = found(books, "phuong nam mat troi")
    assert both == []  # every word is required
    assert found(books, "phương Nam") == ["phrase", "scattered"]


def test_did_you_mean_restores_diacritics_from_the_index(books):
    assert suggest_query("truyen kieu") == "Truyện Kiều"
    assert suggest_query("truyen kieuu") == "Truyện Kiều"
    assert suggest_query("Truyện Kiều") is None  # nothing to correct


def test_unaccented_name_keeps_only_records_holding_it_within_one_field(books, net, admin_user):
    # "Nguyễn" in the author and "Đu" in the title, "Đoàn" in the author and "Giới" in the publisher:
    # other words that merely fold like the name "nguyen du" / "doan gioi"
    extra = {
        "scattered_du": {**BASE, "title": "Đu đưa trên ngọn cây", "author": "Nguyễn Hoàng Thủy", "year": 1999},
        "scattered_gioi": {**BASE, "title": "Để con được ốm", "author": "Nguyễn Trí Đoàn",
                           "publisher": "Thế Giới", "year": 1999},
        "about_du": {**BASE, "title": "Nguyễn Du và Truyện Kiều", "author": "Đào Duy Anh", "year": 1998},
    }
    for n, (key, spec) in enumerate(extra.items(), 1):
        books[key] = bib_create(actor=admin_user, record=marc_for(spec, f"MX{n:04d}"), owner=net.province).pk
    ranked = found(books, "nguyen du")
    assert sorted(ranked[:2]) == ["du", "du_2"]
    assert sorted(ranked) == ["about_du", "du", "du_2", "du_dot", "du_stroke", "du_tilde"]
    assert found(books, "doan gioi") == ["phrase"]
    # words that are no author's name are not narrowed: scattered over title and author they still match
    assert found(books, "dua hoang") == ["scattered_du"]
    # accented, the query is literal anyway: the scattered "Đu" is not "Du"
    assert "scattered_du" not in found(books, "Nguyễn Du")
    # narrowed to nothing within a filter: the words anywhere, as for other words
    only_1999 = record_search(query=parse_user_query("nguyen du"), filters={"year": ["1999"]})
    assert only_1999.record_ids == [books["scattered_du"]]
    only_1999 = record_search(query=parse_user_query("doan gioi"), filters={"year": ["1999"]})
    assert only_1999.record_ids == [books["scattered_gioi"]]
