"""`thuvien circ_daily`: the daily circulation job (run it once a day from cron or a timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from thuvien.circulation.jobs import daily_run


class Command(BaseCommand):
    help = "Hết hạn giữ tài liệu đặt mượn, nhắc trả quá hạn, ẩn danh lịch sử mượn, gửi thông báo."

    def handle(self, *args: Any, **options: Any) -> None:
        for key, value in daily_run().items():
            self.stdout.write(f"{key}: {value}")
