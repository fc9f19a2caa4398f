"""Money reads the page language's way: Vietnamese groups with dots and writes đ, English groups
with commas and writes VND; no decimals (the đồng has no minor unit)."""

from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from thuvien.core.money import amount_text, vnd


def test_amounts_in_vietnamese_and_english():
    with translation.override("vi"):
        assert amount_text(Decimal("1234567.4")) == "1.234.567"
        assert vnd(120000) == "120.000 đ"
        assert vnd(None) == "0 đ"
    with translation.override("en"):
        assert amount_text(Decimal("1234567.5")) == "1,234,568"
        assert vnd(Decimal("50000")) == "50,000 VND"


def test_template_filter():
    page = Template("{% load thuvien %}[{{ fine|vnd }}][{{ nothing|vnd }}]")
    with translation.override("vi"):
        assert page.render(Context({"fine": Decimal("20000"), "nothing": None})) == "[20.000 đ][]"
    with translation.override("en"):
        assert page.render(Context({"fine": 20000, "nothing": ""})) == "[20,000 VND][]"


def test_negative_and_small_amounts():
    with translation.override("vi"):
        assert amount_text(-1500) == "-1.500"
        assert amount_text(999) == "999"


def test_counts_are_grouped_in_vietnamese_too():
    page = Template("{% load humanize %}{{ n|intcomma }}")
    with translation.override("vi"):
        assert page.render(Context({"n": 1234567})) == "1.234.567"
    with translation.override("en"):
        assert page.render(Context({"n": 1234567})) == "1,234,567"
