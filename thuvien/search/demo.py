"""Demo data for search: build this process's index from the demo catalogue just loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from thuvien.search.engine import SearchIndex, current_index, get_index


def load(*, network: Any, stdout: Any) -> None:
    existed = current_index() is not None or any(Path(settings.THUVIEN_INDEX_DIR).glob("slot-*/state.json"))
    index = get_index()  # a missing index is built from the database on opening
    if not isinstance(index, SearchIndex):  # the machine's indexer applies the demo's changes itself
        return
    count = index.rebuild() if existed else (index.index.searcher().num_docs if index.index else 0)
    stdout.write(f"Chỉ mục tìm kiếm: {count} biểu ghi.")
