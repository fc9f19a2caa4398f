"""`thuvien search QUERY`: search the catalogue from the command line (box syntax)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thuvien.catalog.models import BibRecord
from thuvien.core.models import OrgUnit
from thuvien.search.selectors import QuerySyntaxError, parse_user_query, record_search


class Command(BaseCommand):
    help = "Tìm biểu ghi bằng cú pháp của ô tìm kiếm (ví dụ: tac gia:\"Nam Cao\")."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("query")
        parser.add_argument("--library", help="mã đơn vị: chỉ tìm trong đơn vị đó và các đơn vị trực thuộc")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--sort", default="relevance")

    def handle(self, *args: Any, **options: Any) -> None:
        library = None
        if options["library"]:
            library = OrgUnit.objects.filter(code=options["library"]).first()
            if library is None:
                raise CommandError(f"không có đơn vị {options['library']}")
        try:
            node = parse_user_query(options["query"])
            result = record_search(query=node, library=library, limit=options["limit"], sort=options["sort"])
        except (QuerySyntaxError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        titles = BibRecord.objects.in_bulk(result.record_ids)
        self.stdout.write(f"{result.total} kết quả")
        for hit in result.hits:
            rec = titles.get(hit.record_id)
            self.stdout.write(f"{hit.record_id}\t{hit.score:.2f}\t{rec.title if rec else '?'}")
