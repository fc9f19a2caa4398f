"""Fixtures for catalog tests (registered in the root conftest.py)."""

from __future__ import annotations

import pytest
from pymarc import Record

from thuvien.catalog.quick import QuickRecord, build_record


def make_book(title: str = "Dế Mèn phiêu lưu ký", **kwargs: object) -> Record:
    """A valid MARC21 book record built by the quick-cataloguing builder."""
    defaults: dict[str, object] = {"authors": ["Tô Hoài"], "publisher": "Kim Đồng", "place": "Hà Nội",
                                   "year": 2019, "ddc": "895.9223", "subjects": ["Văn học thiếu nhi"],
                                   "isbn": "9786042082051", "pages": "144"}
    defaults.update(kwargs)
    return build_record(QuickRecord(title=title, **defaults))  # type: ignore[arg-type]


@pytest.fixture
def book_factory():  # type: ignore[no-untyped-def]
    """make_book(title, **QuickRecord fields) -> pymarc Record."""
    return make_book
