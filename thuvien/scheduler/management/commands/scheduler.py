"""`thuvien scheduler`: the periodic table's clock (started by `thuvien serve`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from thuvien.core.stopping import stop_on_signals
from thuvien.scheduler.registry import discover
from thuvien.scheduler.services import schedule_tick

TICK_S = 15.0


class Command(BaseCommand):
    help = ("Chạy các việc định kỳ đúng giờ (lưu thông hằng ngày, thu hoạch, dọn dẹp...): giao cho tiến "
            "trình nền; việc bị lỡ khi máy tắt được chạy ngay khi khởi động lại.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="giao các việc đến hạn rồi thoát")
        parser.add_argument("--tick", type=float, default=TICK_S, help="giây giữa hai lần xem lịch")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = discover()
        stop = stop_on_signals()
        while not stop.is_set():
            try:
                for run in schedule_tick(jobs=jobs):
                    due = timezone.localtime(run.due_at)
                    self.stdout.write(f"scheduler: {run.name} ({due:%Y-%m-%d %H:%M}) → tiến trình nền")
            except DatabaseError as exc:
                self.stderr.write(f"scheduler: cơ sở dữ liệu lỗi ({exc}); thử lại.")
                close_old_connections()
            if options["once"]:
                break
            stop.wait(options["tick"])
