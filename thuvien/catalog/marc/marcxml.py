"""MARCXML (MARC21 slim): a streaming reader (lxml iterparse, memory flat) and writers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, BinaryIO

from lxml import etree
from pymarc import Field, Indicators, Leader, Record, Subfield

from thuvien.catalog.marc.crosswalk import marcxml
from thuvien.catalog.marc.iso2709 import MarcError

NS = "http://www.loc.gov/MARC21/slim"
_RECORD_TAGS = {f"{{{NS}}}record", "record"}


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def element_to_record(elem: etree._Element, warnings: list[str] | None = None) -> Record:
    """Convert one <record> element; raise MarcError for anything that would be lost. Elements
    that are not MARC (e.g. Koha's <identifier>) are reported in `warnings` and skipped."""
    leader: str | None = None
    fields: list[Field] = []
    for child in elem:
        name = _local(child.tag)
        if not name:  # comments, processing instructions
            continue
        if name == "leader":
            leader = child.text or ""
        elif name == "controlfield":
            tag = child.get("tag")
            if not tag:
                raise MarcError(f"controlfield without tag (line {child.sourceline})")
            fields.append(Field(tag=tag, data=child.text or ""))
        elif name == "datafield":
            tag = child.get("tag")
            if not tag:
                raise MarcError(f"datafield without tag (line {child.sourceline})")
            subfields: list[Subfield] = []
            for sub in child:
                sname = _local(sub.tag)
                if not sname:
                    continue
                if sname != "subfield":
                    raise MarcError(f"datafield {tag}: unexpected element <{sname}> (line {sub.sourceline})")
                code = sub.get("code")
                if not code or len(code) != 1:
                    raise MarcError(f"datafield {tag}: subfield without a one-character code (line {sub.sourceline})")
                subfields.append(Subfield(code=code, value=sub.text or ""))
            fields.append(Field(tag=tag, indicators=Indicators(child.get("ind1", " ") or " ",
                                                               child.get("ind2", " ") or " "),
                                subfields=subfields))
        elif warnings is not None and not len(child):
            warnings.append(f"non-MARC element <{name}> ignored (line {child.sourceline})")
        else:
            raise MarcError(f"unexpected element <{name}> in record (line {child.sourceline})")
    if leader is None:
        raise MarcError(f"record without leader (line {elem.sourceline})")
    if len(leader) != 24:
        raise MarcError(f"leader is {len(leader)} characters, not 24")
    record = Record(fields=fields)  # type: ignore[arg-type]
    record.leader = Leader(leader)
    return record


def iter_marcxml(stream: BinaryIO) -> Iterator[tuple[int, bytes, Record | None, str | None, list[str]]]:
    """(line, raw element bytes, record or None, error or None, warnings) per <record>; a document that is
    not well-formed ends with one error item carrying the unread rest of the file."""
    context = etree.iterparse(stream, events=("end",), tag=tuple(_RECORD_TAGS), huge_tree=True,
                              resolve_entities=False, no_network=True)
    line = 0
    try:
        for _event, elem in context:
            if elem.tag == "record" and elem.find("leader") is None and elem.find(f"{{{NS}}}leader") is None:
                continue  # a non-MARC element that happens to be called record
            line = elem.sourceline or 0
            raw = etree.tostring(elem, encoding="utf-8")
            warnings: list[str] = []
            try:
                record = element_to_record(elem, warnings)
            except MarcError as exc:
                yield line, raw, None, str(exc), []
            else:
                yield line, raw, record, None, warnings
            elem.clear()
            parent = elem.getparent()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        rest = b""
        try:
            stream.seek(0)
            rest = stream.read(16 << 20)
        except (OSError, ValueError):
            pass
        yield exc.lineno or line, rest, None, f"XML is not well-formed: {exc.msg}", []


def to_marcxml(record: Record, *, namespace: bool = True) -> str:
    """One <record> element in MARC21 slim (with the namespace declaration unless told otherwise);
    written by the one crosswalk (`crosswalk.marcxml`), as OAI-PMH and SRU write it."""
    return marcxml(record, namespace=namespace)


class MarcXmlCollectionWriter:
    """Write a <collection> one record at a time to a text stream."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        stream.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="{NS}">\n')

    def write(self, record: Record) -> None:
        self.stream.write(to_marcxml(record, namespace=False))
        self.stream.write("\n")

    def close(self) -> None:
        self.stream.write("</collection>\n")


def to_marcxml_collection(records: list[Record]) -> str:
    """A whole <collection> document as a string (for small sets)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="{NS}">\n'
    return head + "".join(to_marcxml(r, namespace=False) + "\n" for r in records) + "</collection>\n"
