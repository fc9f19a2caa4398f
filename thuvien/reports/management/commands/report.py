"""`thuvien report NAME --unit CODE --period 2026 --format xlsx -o FILE`; `thuvien report --list`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thuvien.core.models import OrgUnit
from thuvien.reports.catalogue import REPORTS, report_build
from thuvien.reports.exports import FORMATS, filename, report_render
from thuvien.reports.periods import period_parse


class Command(BaseCommand):
    help = "Xuất một báo cáo thống kê (xlsx, csv, pdf) cho một đơn vị và kỳ báo cáo."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name", nargs="?", help="tên báo cáo (xem --list)")
        parser.add_argument("--list", action="store_true", help="liệt kê các báo cáo")
        parser.add_argument("--unit", help="mã đơn vị (mặc định: gốc mạng lưới)")
        parser.add_argument("--period", default="", help="2026 | 2026-Q2 | 2026-05 | 2026-01-01..2026-03-31")
        parser.add_argument("--format", default="xlsx", choices=sorted(FORMATS))
        parser.add_argument("-o", "--output", help="tệp kết quả (mặc định: tên tự đặt trong thư mục hiện tại)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"] or not options["name"]:
            for name, (title, _build) in REPORTS.items():
                self.stdout.write(f"{name:12} {title}")
            return
        if options["name"] not in REPORTS:
            raise CommandError(f"Không có báo cáo “{options['name']}”; xem: thuvien report --list")
        try:
            period = period_parse(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["unit"]:
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"Không có đơn vị “{options['unit']}”.")
        else:
            unit = OrgUnit.objects.filter(parent__isnull=True, is_active=True).order_by("pk").first()
            if unit is None:
                raise CommandError("Chưa có mạng lưới thư viện nào.")
        report = report_build(name=options["name"], unit=unit, period=period)
        data = report_render(report, options["format"])
        out = Path(options["output"] or filename(report, options["format"]))
        out.write_bytes(data)
        self.stdout.write(f"{out} ({len(data)} byte)")
