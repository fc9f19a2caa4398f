"""A saved list as one file: RIS and BibTeX through the one citation module (catalog.exports.render_bib),
CSV from the record's extracted columns (no second MARC mapping)."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from thuvien.catalog.exports import FORMATS, render_bib

if TYPE_CHECKING:
    from thuvien.catalog.models import BibRecord

LIST_FORMATS = {"ris": FORMATS["ris"], "bib": FORMATS["bib"], "csv": ("text/csv; charset=utf-8", "csv")}
CSV_COLUMNS = ["title", "main_author", "publisher", "place", "year", "isbn", "ddc", "call_number", "language"]


def list_export(records: list[BibRecord], fmt: str) -> tuple[bytes, str, str]:
    """(body, content type, extension); KeyError for an unknown format. CSV carries a UTF-8 BOM so
    spreadsheet programs read Vietnamese correctly."""
    content_type, ext = LIST_FORMATS[fmt]
    if fmt in ("ris", "bib"):
        sep = b"\r\n" if fmt == "ris" else b"\n"
        return sep.join(render_bib(r, fmt)[0] for r in records), content_type, ext
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in records:
        isbns = [i for i in r.isbns or [] if isinstance(i, str)]
        writer.writerow([r.title, r.main_author, r.publisher, r.place, r.year or "", "; ".join(isbns), r.ddc,
                         r.call_number, r.language])
    return ("\ufeff" + out.getvalue()).encode(), content_type, ext
