"""bench/relevance.py as a regression floor: the labelled queries over the demo catalogue."""

from __future__ import annotations

import io

import pytest

from bench.relevance import QUERIES, evaluate, table
from thuvien.catalog import demo as catalog_demo
from thuvien.core import demo as core_demo

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_relevance_over_the_demo_catalogue():
    if not catalog_demo.SHARED.joinpath("vi", "tiki_books.csv").exists():
        pytest.skip("../shared/data is not here")
    out = io.StringIO()
    catalog_demo.load(network=core_demo.load(stdout=out), stdout=out)
    judged, summary = evaluate()
    assert summary["queries"] == len(QUERIES) >= 80
    assert summary["missed_queries"] == 0, table(judged)
    assert summary["mrr"] >= 0.99 and summary["p_at_1"] >= 0.99 and summary["ndcg_at_10"] >= 0.98, table(judged)
    # No first page holds more than 3x its relevant records (an unaccented name such as "nguyen du" or
    # "doan gioi" keeps only the records holding it within one field).
    assert [j.query for j in judged if j.noisy] == [], table(judged)
