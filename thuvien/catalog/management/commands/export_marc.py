"""`thuvien export_marc`: write the catalogue (or a library's part, or what changed since a date)
as ISO 2709 (UTF-8), MARCXML, MARC-in-JSON, Dublin Core or CSV, streaming.

Deleted records are included when --since is given (leader/05 = 'd', the MARC way to exchange
deletions; a "deleted" status column in CSV); --deleted-only lists just the deletions."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from pymarc import Leader

from thuvien.catalog.marc.crosswalk import to_dc_xml
from thuvien.catalog.marc.marcjson import from_json
from thuvien.catalog.marc.marcxml import MarcXmlCollectionWriter
from thuvien.catalog.marc.writer import RecordTooLong, to_iso2709
from thuvien.catalog.models import BibRecord
from thuvien.catalog.selectors import records_changed_since
from thuvien.core.models import OrgUnit

EXPORT_FORMATS = ("iso2709", "marcxml", "json", "dc", "csv")
CSV_COLUMNS = ["id", "control_number", "control_number_source", "status", "title", "main_author", "authors",
               "publisher", "place", "year", "isbns", "issns", "ddc", "call_number", "language", "subjects",
               "material_type", "updated_at"]


def parse_when(value: str) -> dt.datetime:
    """An aware datetime from "2026-01-31" or "2026-01-31T08:00[:00][+07:00]" (local time if naive)."""
    when = parse_datetime(value)
    if when is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"not a date or datetime: {value}")
        when = dt.datetime.combine(day, dt.time.min)
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


class Command(BaseCommand):
    help = "Xuất biểu ghi thư mục (ISO 2709 UTF-8, MARCXML, MARC-in-JSON, Dublin Core, CSV)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", default="iso2709", choices=EXPORT_FORMATS)
        parser.add_argument("--library", help="chỉ biểu ghi do đơn vị (và cấp dưới) tạo hoặc có bản tài liệu")
        parser.add_argument("--since", help="chỉ biểu ghi thay đổi từ thời điểm này (kể cả biểu ghi đã xoá)")
        parser.add_argument("--until", help="và trước thời điểm này")
        parser.add_argument("--deleted-only", action="store_true", help="chỉ liệt kê biểu ghi đã xoá")
        parser.add_argument("--output", "-o", help="tệp ra (mặc định: đầu ra chuẩn)")

    def handle(self, *args: Any, **opts: Any) -> None:
        library = None
        if opts["library"]:
            try:
                library = OrgUnit.objects.get(code=opts["library"].upper())
            except OrgUnit.DoesNotExist as exc:
                raise CommandError(f"no unit with code {opts['library']}") from exc
        since = parse_when(opts["since"]) if opts["since"] else None
        until = parse_when(opts["until"]) if opts["until"] else None
        qs = records_changed_since(since=since, until=until, library=library)
        if opts["deleted_only"]:
            qs = qs.filter(is_deleted=True)
        elif since is None:
            qs = qs.filter(is_deleted=False)
        fmt = opts["format"]
        binary = fmt == "iso2709"
        if opts["output"]:
            out: IO[Any] = open(opts["output"], "wb" if binary else "w", encoding=None if binary else "utf-8",  # noqa: SIM115
                                newline=None if binary else "")
        else:
            out = sys.stdout.buffer if binary else sys.stdout
        try:
            written, skipped = self.write(qs, fmt, out)
        finally:
            if opts["output"]:
                out.close()
        self.stderr.write(f"exported {written} records" + (f", {skipped} too long for ISO 2709 (use marcxml)"
                                                          if skipped else ""))

    def write(self, qs: Any, fmt: str, out: IO[Any]) -> tuple[int, int]:
        written = skipped = 0
        rows = qs.iterator(chunk_size=2000)
        xml = MarcXmlCollectionWriter(out) if fmt == "marcxml" else None
        writer = csv.writer(out) if fmt == "csv" else None
        if writer is not None:
            writer.writerow(CSV_COLUMNS)
        if fmt == "json":
            out.write("[\n")
        if fmt == "dc":
            out.write('<?xml version="1.0" encoding="UTF-8"?>\n<records>\n')
        for bib in rows:
            if writer is not None:
                writer.writerow(self.csv_row(bib))
                written += 1
                continue
            record = from_json(bib.marc)
            if bib.is_deleted:
                lead = str(record.leader)
                record.leader = Leader(lead[:5] + "d" + lead[6:])
            if fmt == "iso2709":
                try:
                    out.write(to_iso2709(record))
                except RecordTooLong as exc:
                    self.stderr.write(f"record {bib.pk}: {exc}")
                    skipped += 1
                    continue
            elif xml is not None:
                xml.write(record)
            elif fmt == "json":
                out.write(("" if written == 0 else ",\n") + json.dumps(bib.marc if not bib.is_deleted else
                                                                       {**bib.marc, "leader": str(record.leader)},
                                                                       ensure_ascii=False))
            else:
                out.write(to_dc_xml(record) + "\n")
            written += 1
        if xml is not None:
            xml.close()
        if fmt == "json":
            out.write("\n]\n")
        if fmt == "dc":
            out.write("</records>\n")
        return written, skipped

    @staticmethod
    def csv_row(bib: BibRecord) -> list[Any]:
        return [bib.pk, bib.control_number, bib.control_number_source, "deleted" if bib.is_deleted else "active",
                bib.title, bib.main_author, "; ".join(bib.authors), bib.publisher, bib.place, bib.year or "",
                "; ".join(bib.isbns), "; ".join(bib.issns), bib.ddc, bib.call_number, bib.language,
                "; ".join(bib.subjects), bib.material_type, timezone.localtime(bib.updated_at).isoformat()]
