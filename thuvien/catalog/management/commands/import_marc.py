"""`thuvien import_marc PATH... --library CODE`: stream MARC files into the catalogue.

Resumable: a killed import started again with the same file, library and options continues
after the last committed batch (use --restart to start over)."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thuvien.catalog import services
from thuvien.catalog.importer import MATCHES, ON_MATCH
from thuvien.catalog.marc.reader import ENCODINGS, FORMATS
from thuvien.catalog.models import ImportJob
from thuvien.core.demo import system_user
from thuvien.core.models import OrgUnit, User


class Command(BaseCommand):
    help = "Nhập biểu ghi MARC21 (ISO 2709, MARCXML, MARC-in-JSON) vào mục lục liên hợp."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--library", required=True, help="mã đơn vị nhận biểu ghi (ISIL)")
        parser.add_argument("--format", default="auto", choices=FORMATS)
        parser.add_argument("--encoding", default="auto", choices=ENCODINGS)
        parser.add_argument("--match", default="001", choices=MATCHES)
        parser.add_argument("--on-match", default="skip", choices=ON_MATCH)
        parser.add_argument("--user", help="tên đăng nhập người nhập (mặc định: system)")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--workers", type=int, default=None,
                            help="số tiến trình đọc song song (mặc định: tự chọn theo số lõi và cỡ tệp; 0 = không)")
        parser.add_argument("--show-warnings", type=int, default=5, help="số cảnh báo in ra cho mỗi tệp")
        parser.add_argument("--restart", action="store_true", help="không tiếp tục đợt nhập dở, nhập lại từ đầu")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            library = OrgUnit.objects.get(code=opts["library"].upper())
        except OrgUnit.DoesNotExist as exc:
            raise CommandError(f"no unit with code {opts['library']}") from exc
        actor = User.objects.get(username=opts["user"]) if opts["user"] else system_user()
        totals = {"imported": 0, "updated": 0, "skipped": 0, "quarantined": 0}
        tty = sys.stderr.isatty()
        for path in opts["paths"]:
            job = services.import_job_create(actor=actor, library=library, path=path, format=opts["format"],
                                             encoding=opts["encoding"], match=opts["match"],
                                             on_match=opts["on_match"], resume=not opts["restart"])
            if job.records_read:
                self.stderr.write(f"{path}: resuming job {job.pk} after record {job.records_read}")
            started = time.monotonic()
            done_before = job.records_read

            def progress(j: ImportJob, started: float = started, done_before: int = done_before,
                         path: str = path) -> None:
                if not tty:
                    return
                rate = (j.records_read - done_before) / max(time.monotonic() - started, 1e-6)
                width = 30
                filled = int(width * j.percent / 100)
                sys.stderr.write(f"\r{path[-30:]} [{'#' * filled}{'.' * (width - filled)}] {j.percent:3d}% "
                                 f"{j.records_read} records {rate:,.0f}/s")
                sys.stderr.flush()

            job = services.import_job_run(job=job, actor=actor, batch_size=opts["batch_size"],
                                          workers=opts["workers"], progress=progress)
            if tty:
                sys.stderr.write("\n")
            for name in totals:
                totals[name] += getattr(job, name)
            if len(opts["paths"]) > 1:
                self.stdout.write(f"{path}: {job.summary}")
            for index, offset, message in job.warnings[:opts["show_warnings"]]:
                self.stderr.write(f"  warning: record {index} (offset {offset}): {message}")
            if len(job.warnings) > opts["show_warnings"]:
                self.stderr.write(f"  ... {len(job.warnings) - opts['show_warnings']} more warnings: "
                                  f"see import job {job.pk} in the staff client")
        self.stdout.write(f"imported {totals['imported']}, updated {totals['updated']}, "
                          f"skipped {totals['skipped']}, quarantined {totals['quarantined']}")
