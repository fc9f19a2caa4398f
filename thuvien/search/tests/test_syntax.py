"""The OPAC search-box syntax."""

from __future__ import annotations

import pytest

from thuvien.search.query import And, MatchAll, Not, Or, Range, Term
from thuvien.search.syntax import QuerySyntaxError, node_to_text, parse_user_query


def test_bare_words_stay_together_for_adjacency():
    assert parse_user_query("truyen  kieu") == Term("any", "truyen kieu")


def test_quotes_make_a_phrase():
    assert parse_user_query('"Đất rừng phương Nam"') == Term("any", "Đất rừng phương Nam", phrase=True)
    assert parse_user_query("“Mắt biếc”") == Term("any", "Mắt biếc", phrase=True)


@pytest.mark.parametrize("prefix", ["tac gia", "tác giả", "Tác Giả", "author", "au", "tacgia"])
def test_field_prefixes_in_vietnamese_and_english(prefix):
    assert parse_user_query(f'{prefix}:"Nam Cao"') == Term("author", "Nam Cao", phrase=True)


def test_field_with_a_bare_word_and_the_rest_as_keywords():
    assert parse_user_query("nhan de:kieu nguyen du") == And((Term("title", "kieu"), Term("any", "nguyen du")))
    assert parse_user_query("truyen tac gia:du") == And((Term("any", "truyen"), Term("author", "du")))


def test_exclusion():
    assert parse_user_query("kieu -tale") == Not(Term("any", "kieu"), Term("any", "tale"))
    assert parse_user_query('kieu -"the tale" -tac gia:nguyen') == Not(
        Term("any", "kieu"), Or((Term("any", "the tale", phrase=True), Term("author", "nguyen"))))
    assert parse_user_query("-kieu") == Not(MatchAll(), Term("any", "kieu"))
    assert parse_user_query("a - b") == Term("any", "a - b")


def test_years_and_ranges():
    assert parse_user_query("năm:1990-2000") == Range("year", 1990, 2000)
    assert parse_user_query("year:1995") == Range("year", 1995, 1995)
    assert parse_user_query("nam:2000-") == Range("year", 2000, None)
    assert parse_user_query("nam xuat ban:2000-1990") == Range("year", 1990, 2000)


def test_prefix_and_or():
    assert parse_user_query("nhat*") == Term("any", "nhat", truncated=True)
    assert parse_user_query("kieu OR pheo") == Or((Term("any", "kieu"), Term("any", "pheo")))


def test_isbn_with_spaces():
    assert parse_user_query("isbn: 0 306 40615 2") == Term("isbn", "0 306 40615 2")


def test_unknown_prefix_is_text():
    assert parse_user_query("http://x.vn") == Term("any", "http://x.vn")


def test_empty_is_match_all():
    assert parse_user_query("   ") == MatchAll()


@pytest.mark.parametrize("text, message", [
    ('"Nam Cao', "ngoặc kép"),
    ("tac gia:", "Thiếu giá trị"),
    ("nam:abc", "Năm không hợp lệ"),
    ("nhan de:*", "dấu *"),
    ("x" * 1001, "quá dài"),
])
def test_errors_are_readable(text, message):
    with pytest.raises(QuerySyntaxError, match=message):
        parse_user_query(text)


def test_round_trip_to_text():
    for text in ['tác giả:"Nam Cao" -kieu', "năm:1990-2000", "nhat*", "kieu OR pheo"]:
        assert parse_user_query(node_to_text(parse_user_query(text))) == parse_user_query(text)
