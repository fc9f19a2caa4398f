"""`thuvien reindex`: rebuild the search index from the database, with a progress bar."""

from __future__ import annotations

import fcntl
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from thuvien.search.engine import INDEXER_SLOT, SearchIndex


class Command(BaseCommand):
    help = ("Dựng lại chỉ mục tìm kiếm từ cơ sở dữ liệu. Chỉ mục của tiến trình đang chạy sẽ được "
            "tiến trình đó dựng lại ở lần tìm kiếm kế tiếp.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-progress", action="store_true", help="không vẽ thanh tiến độ")
        parser.add_argument("--memory-mb", type=int, default=None,
                            help="bộ nhớ cho việc dựng chỉ mục (MB; mặc định THUVIEN_INDEX_BUILD_MEMORY_MB)")

    def handle(self, *args: Any, **options: Any) -> None:
        base = Path(settings.THUVIEN_INDEX_DIR)
        base.mkdir(parents=True, exist_ok=True)
        names = {p.name.split("-", 1)[1] for p in base.glob("slot-*") if p.is_dir()}
        slots: list[int | str] = sorted(int(n) for n in names if n.isdigit()) or [0]
        if INDEXER_SLOT in names:  # the machine's shared index (`thuvien indexer`)
            slots.append(INDEXER_SLOT)
        rebuilt = flagged = 0
        for n in slots:
            lock = open(base / f"slot-{n}.lock", "a+")  # noqa: SIM115
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                (base / f"slot-{n}").mkdir(parents=True, exist_ok=True)
                (base / f"slot-{n}" / "rebuild-requested").write_text(str(time.time()))
                self.stdout.write(f"slot-{n}: đang được một tiến trình dùng; đã yêu cầu tiến trình đó dựng lại.")
                flagged += 1
                lock.close()
                continue
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()
            index = SearchIndex(base)
            index._take_slot(only=n)
            started = time.monotonic()
            try:
                count = index.rebuild(progress=None if options["quiet_progress"] else self._progress(n),
                                      memory_mb=options["memory_mb"] or settings.THUVIEN_INDEX_BUILD_MEMORY_MB)
                size = index.size_bytes()
            finally:
                index.release()
            self.stdout.write(f"\nslot-{n}: {count} biểu ghi, {size / 1e6:.1f} MB, {time.monotonic() - started:.1f} s")
            rebuilt += 1
        self.stdout.write(self.style.SUCCESS(f"Xong: dựng lại {rebuilt} chỉ mục, yêu cầu dựng lại {flagged}."))

    def _progress(self, slot: int | str):  # type: ignore[no-untyped-def]
        started = time.monotonic()

        def report(done: int, total: int) -> None:
            width = 30
            frac = done / total if total else 1.0
            bar = "#" * int(frac * width)
            rate = done / max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"\rslot-{slot} [{bar:<{width}}] {done}/{total} ({rate:,.0f}/s)", ending="")
            self.stdout.flush()

        return report
