"""`thuvien fixity_check [--all] [--object ID]`: re-read preservation copies now.

Without options it checks today's rolling slice (what the daily job checks). It prints one line per
object and every problem found, and exits with status 1 when any object is damaged or could not be
read (a storage error, e.g. the S3 server unreachable, is reported as such, never as damage)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thuvien.digital import preservation
from thuvien.digital.models import DigitalObject


def _find(ident: str) -> DigitalObject:
    qs = DigitalObject.objects.select_related("unit")
    found = qs.filter(pk=int(ident)).first() if ident.isdigit() else None
    if found is None:
        try:
            found = qs.filter(uuid=ident).first()
        except Exception:  # noqa: BLE001 - not a UUID either
            found = None
    if found is None:
        raise CommandError(f"no digital object {ident!r}")
    return found


class Command(BaseCommand):
    help = "Kiểm tra tính toàn vẹn (fixity) bản lưu trữ OCFL của tài liệu số; thoát với mã 1 nếu có hỏng."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="kiểm tra mọi tài liệu số đã lưu trữ")
        parser.add_argument("--object", action="append", default=[], help="id hoặc uuid của tài liệu số")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["object"]:
            objects = [_find(i) for i in opts["object"]]
        elif opts["all"]:
            objects = preservation.objects_due()
        else:
            total = DigitalObject.objects.filter(ocfl_version__gt=0).count()
            objects = preservation.objects_due(preservation.daily_slice_size(total))
        damaged = 0
        failed = 0
        total_bytes = 0
        seconds = 0.0
        for obj in objects:
            if obj.ocfl_version == 0:
                self.stdout.write(f"SKIP {obj.pk} {obj.uuid}: not preserved yet (thuvien digital_preserve)")
                continue
            try:
                outcome = preservation.check_object(obj=obj)
            except OSError as exc:  # the disk or the S3 server failed: not checked, and not damage either
                failed += 1
                self.stdout.write(f"ERROR   {obj.pk} {obj.uuid}: not checked: {exc}")
                continue
            check = outcome.check
            total_bytes += check.bytes
            seconds += check.seconds
            if outcome.ok:
                self.stdout.write(f"OK      {obj.pk} {obj.uuid}: {check.files} files, {check.bytes} bytes, "
                                  f"{check.seconds:.2f} s")
            else:
                damaged += 1
                self.stdout.write(f"DAMAGED {obj.pk} {obj.uuid} ({obj.title[:60]})")
                for problem in check.details:
                    self.stdout.write(f"        {problem}")
        rate = total_bytes / seconds / 1e6 if seconds else 0.0
        self.stdout.write(f"{len(objects) - failed} objects checked, {total_bytes} bytes at {rate:.0f} MB/s, "
                          f"{damaged} damaged" + (f", {failed} not checked (storage error)" if failed else ""))
        if damaged or failed:
            self.stdout.flush()
            sys.exit(1)
