"""Demo data for search: build this process's index from the demo catalogue just loaded."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings

from thuvien.search.engine import INDEXER_SLOT, SearchIndex, current_index, get_index, index_writer_mode


def load(*, network: Any, stdout: Any) -> None:
    if index_writer_mode() == "indexer":  # the machine's indexer builds (or, when it has one, rebuilds) it
        shared = Path(settings.THUVIEN_INDEX_DIR) / f"slot-{INDEXER_SLOT}"
        if (shared / "state.json").exists():
            (shared / "rebuild-requested").write_text(str(time.time()))
        stdout.write("Chỉ mục tìm kiếm: do tiến trình indexer của `thuvien serve` dựng.")
        return
    existed = current_index() is not None or any(Path(settings.THUVIEN_INDEX_DIR).glob("slot-*/state.json"))
    index = get_index()  # a missing index is built from the database on opening
    assert isinstance(index, SearchIndex)
    count = index.rebuild() if existed else (index.index.searcher().num_docs if index.index else 0)
    stdout.write(f"Chỉ mục tìm kiếm: {count} biểu ghi.")
