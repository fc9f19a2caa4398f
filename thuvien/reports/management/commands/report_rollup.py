"""`thuvien report_rollup [--rebuild]`: roll up new activity events (or rebuild every roll-up)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from thuvien.reports.rollup import rollup_pending, rollup_rebuild


class Command(BaseCommand):
    help = "Tổng hợp số liệu thống kê theo ngày từ các sự kiện (--rebuild: tính lại toàn bộ)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rebuild", action="store_true", help="xoá và tính lại mọi bảng tổng hợp")

    def handle(self, *args: Any, **options: Any) -> None:
        result = rollup_rebuild() if options["rebuild"] else rollup_pending()
        self.stdout.write(", ".join(f"{k}={v}" for k, v in result.items()))
