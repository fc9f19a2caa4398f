"""One record rendered in an exchange format, for the downloads of the staff client, OPAC and API
(the XML formats come from the one crosswalk, `catalog.marc.crosswalk`)."""

from __future__ import annotations

import json

from pymarc import Record

from thuvien.catalog.marc import to_dc_xml, to_iso2709, to_json, to_marcxml, to_mods_xml
from thuvien.catalog.models import BibRecord

FORMATS = {"mrc": ("application/marc", "mrc"), "xml": ("application/marcxml+xml; charset=utf-8", "xml"),
           "json": ("application/json", "json"), "dc": ("application/xml; charset=utf-8", "dc.xml"),
           "mods": ("application/mods+xml; charset=utf-8", "mods.xml"),
           "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
           "bib": ("application/x-bibtex; charset=utf-8", "bib")}
# the names the OPAC's links used first
ALIASES = {"marcxml": "xml", "iso2709": "mrc", "bibtex": "bib"}
_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'


def render_record(record: Record, fmt: str) -> tuple[bytes, str, str]:
    """(body, content type, file extension) of a MARC record; raises KeyError for an unknown format
    (or a citation format, which needs the BibRecord: `render_bib`) and RecordTooLong when an ISO 2709
    record would exceed 99,999 bytes."""
    fmt = ALIASES.get(fmt, fmt)
    content_type, ext = FORMATS[fmt]
    if fmt == "mrc":
        body = to_iso2709(record)
    elif fmt == "xml":
        body = (_XML + to_marcxml(record)).encode()
    elif fmt == "json":
        body = json.dumps(to_json(record), ensure_ascii=False, indent=1).encode()
    elif fmt == "dc":
        body = (_XML + to_dc_xml(record)).encode()
    elif fmt == "mods":
        body = (_XML + to_mods_xml(record)).encode()
    else:
        raise KeyError(fmt)
    return body, content_type, ext


def render_bib(bib: BibRecord, fmt: str) -> tuple[bytes, str, str]:
    """`render_record` for a stored record, plus the citation formats (RIS, BibTeX)."""
    from thuvien.catalog.selectors import bib_to_pymarc
    from thuvien.search.citation import to_bibtex, to_ris

    fmt = ALIASES.get(fmt, fmt)
    if fmt in ("ris", "bib"):
        content_type, ext = FORMATS[fmt]
        return (to_ris(bib) if fmt == "ris" else to_bibtex(bib)).encode(), content_type, ext
    return render_record(bib_to_pymarc(bib), fmt)
