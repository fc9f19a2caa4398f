"""One record rendered in an exchange format, for downloads from the staff client, OPAC and API."""

from __future__ import annotations

import json

from pymarc import Record

from thuvien.catalog.marc import to_dc_xml, to_iso2709, to_json, to_marcxml, to_mods_xml

FORMATS = {"mrc": ("application/marc", "mrc"), "xml": ("application/marcxml+xml", "xml"),
           "json": ("application/json", "json"), "dc": ("application/xml", "dc.xml"),
           "mods": ("application/mods+xml", "mods.xml")}
_XML = '<?xml version="1.0" encoding="UTF-8"?>\n'


def render_record(record: Record, fmt: str) -> tuple[bytes, str, str]:
    """(body, content type, file extension); raises KeyError for an unknown format and
    RecordTooLong when an ISO 2709 record would exceed 99,999 bytes."""
    content_type, ext = FORMATS[fmt]
    if fmt == "mrc":
        body = to_iso2709(record)
    elif fmt == "xml":
        body = (_XML + to_marcxml(record)).encode()
    elif fmt == "json":
        body = json.dumps(to_json(record), ensure_ascii=False, indent=1).encode()
    elif fmt == "dc":
        body = (_XML + to_dc_xml(record)).encode()
    else:
        body = (_XML + to_mods_xml(record)).encode()
    return body, content_type, ext
