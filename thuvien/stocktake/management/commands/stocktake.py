"""`thuvien stocktake start --library CODE [--location L] [--from CALL] [--to CALL] [--auto-checkin]`,
`thuvien stocktake scan ID FILE` (several times, over several days), `thuvien stocktake report ID [-o F.csv]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from thuvien.core.demo import system_user
from thuvien.core.models import OrgUnit
from thuvien.stocktake.models import Stocktake
from thuvien.stocktake.selectors import CATEGORIES, report_csv, stocktake_report
from thuvien.stocktake.services import parse_reads, stocktake_record, stocktake_start


class Command(BaseCommand):
    help = "Kiểm kê kho: start (mở đợt), scan (nạp tệp mã vạch), report (báo cáo CSV)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["start", "scan", "report"])
        parser.add_argument("params", nargs="*")
        parser.add_argument("--library", default="")
        parser.add_argument("--location", default="")
        parser.add_argument("--from", dest="call_from", default="")
        parser.add_argument("--to", dest="call_to", default="")
        parser.add_argument("--auto-checkin", action="store_true")
        parser.add_argument("-o", "--output", default="")

    def handle(self, *args: Any, **o: Any) -> None:
        actor = system_user()
        rest = o["params"]
        try:
            if o["action"] == "start":
                library = OrgUnit.objects.filter(code=o["library"]).first()
                if library is None:
                    raise CommandError(f"Không có thư viện mã {o['library']!r}.")
                s = stocktake_start(actor=actor, library=library, location=o["location"], call_from=o["call_from"],
                                    call_to=o["call_to"], auto_checkin=o["auto_checkin"])
                self.stdout.write(str(s.pk))
                return
            stocktake = Stocktake.objects.select_related("library").filter(pk=int(rest[0])).first() if rest else None
            if stocktake is None:
                raise CommandError("ID?")
            if o["action"] == "scan":
                codes = parse_reads(Path(rest[1]).read_text(encoding="utf-8-sig"))
                self.stdout.write(str(stocktake_record(actor=actor, stocktake=stocktake, codes=codes)))
                return
            report = stocktake_report(stocktake=stocktake)
            if o["output"]:
                Path(o["output"]).write_text(report_csv(report), encoding="utf-8")
            for category in CATEGORIES:
                self.stdout.write(f"{category}\t{len(report.rows[category])}")
        except (ValidationError, OSError, ValueError, IndexError) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
