"""Demo data for search: build this process's index from the demo catalogue just loaded."""

from __future__ import annotations

from typing import Any

from thuvien.search.engine import get_index


def load(*, network: Any, stdout: Any) -> None:
    index = get_index()  # opening a missing index builds it from the database
    count = index.rebuild()
    stdout.write(f"Chỉ mục tìm kiếm: {count} biểu ghi.")
