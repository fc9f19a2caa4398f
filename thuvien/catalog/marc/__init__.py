"""MARC21 codecs as pure code (no Django): read ISO 2709 (MARC-8/UTF-8), MARCXML and MARC-in-JSON
as a stream, write them back, cross-walk to Dublin Core and MODS, and lint records."""

from thuvien.catalog.marc.crosswalk import to_dc, to_dc_xml, to_mods_xml
from thuvien.catalog.marc.isbn import isbn_normalize, isbn_valid, issn_normalize
from thuvien.catalog.marc.iso2709 import MarcError, parse_record
from thuvien.catalog.marc.lint import lint
from thuvien.catalog.marc.marcjson import from_json, to_json
from thuvien.catalog.marc.marcxml import MarcXmlCollectionWriter, to_marcxml, to_marcxml_collection
from thuvien.catalog.marc.reader import ReadResult, iter_records, sniff_format
from thuvien.catalog.marc.writer import RecordTooLong, to_iso2709

__all__ = [
    "MarcError", "MarcXmlCollectionWriter", "ReadResult", "RecordTooLong", "from_json", "isbn_normalize",
    "isbn_valid", "issn_normalize", "iter_records", "lint", "parse_record", "sniff_format", "to_dc", "to_dc_xml",
    "to_iso2709", "to_json", "to_marcxml", "to_marcxml_collection", "to_mods_xml",
]
