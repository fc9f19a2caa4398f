"""`thuvien digital_preserve [--all] [--object ID]`: write the OCFL preservation copy of digital
objects ingested before preservation existed (new objects are preserved at ingest)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from thuvien.core.demo import system_user
from thuvien.digital import preservation
from thuvien.digital.models import DigitalObject
from thuvien.digital.ocfl import OcflError


class Command(BaseCommand):
    help = "Ghi bản lưu trữ OCFL cho các tài liệu số chưa có (tài liệu nhập trước khi có lưu trữ)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="ghi phiên bản mới cho mọi tài liệu, kể cả đã có")
        parser.add_argument("--object", type=int, action="append", default=[], help="id tài liệu số")

    def handle(self, *args: Any, **opts: Any) -> None:
        qs = DigitalObject.objects.order_by("pk")
        if opts["object"]:
            qs = qs.filter(pk__in=opts["object"])
        elif not opts["all"]:
            qs = qs.filter(ocfl_version=0)
        user = system_user()
        failed = 0
        for obj in qs:
            try:
                written = preservation.preserve(obj=obj, message="Preservation copy of an existing object",
                                                user=user)
            except (OSError, OcflError) as exc:
                failed += 1
                self.stderr.write(f"FAILED {obj.pk} {obj.uuid}: {exc}")
                continue
            self.stdout.write(f"{obj.pk} {obj.uuid}: v{written.version}, {written.added_files} files added")
        if failed:
            raise SystemExit(1)
