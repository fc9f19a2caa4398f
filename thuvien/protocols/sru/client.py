"""An SRU client (1.2 and 2.0) for copy cataloguing: search a target, get MARC records back."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from pymarc import Record

from thuvien.protocols.remote import find_marc_record, http_get, marc_from_element, marc_lines, parse_xml


@dataclass
class RemoteRecord:
    position: int
    record: Record | None
    problem: str = ""

    @property
    def title(self) -> str:
        if self.record is None:
            return ""
        f = self.record.get("245")
        return " ".join(f.get_subfields("a", "b", "n", "p")).strip(" /:;,.") if f else ""

    @property
    def author(self) -> str:
        for tag in ("100", "110", "111", "700"):
            f = self.record.get(tag) if self.record is not None else None
            if f:
                return " ".join(f.get_subfields("a", "b", "c", "d")).strip(" ,.")
        return ""

    @property
    def publication(self) -> str:
        for tag in ("264", "260"):
            f = self.record.get(tag) if self.record is not None else None
            if f:
                return " ".join(f.get_subfields("a", "b", "c")).strip(" ,.;:")
        return ""

    @property
    def lines(self) -> list[str]:
        return marc_lines(self.record) if self.record is not None else []


@dataclass
class RemoteResult:
    total: int = 0
    records: list[RemoteRecord] = field(default_factory=list)
    diagnostics: list[str] = field(default_factory=list)
    next_position: int | None = None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: Element, name: str) -> list[Element]:
    return [c for c in el if _local(c.tag) == name]


def _child_text(el: Element, name: str) -> str:
    found = _children(el, name)
    return (found[0].text or "").strip() if found else ""


def parse_response(root: Element) -> RemoteResult:
    """A searchRetrieveResponse (either version) -> RemoteResult."""
    result = RemoteResult()
    total = _child_text(root, "numberOfRecords")
    result.total = int(total) if total.isdigit() else 0
    nxt = _child_text(root, "nextRecordPosition")
    result.next_position = int(nxt) if nxt.isdigit() else None
    for diags in _children(root, "diagnostics"):
        for d in diags:
            uri, message, details = _child_text(d, "uri"), _child_text(d, "message"), _child_text(d, "details")
            result.diagnostics.append(" ".join(x for x in (uri, message, details and f"({details})") if x))
    for records in _children(root, "records"):
        for i, rec in enumerate(_children(records, "record"), 1):
            pos_text = _child_text(rec, "recordPosition")
            position = int(pos_text) if pos_text.isdigit() else i
            data = _children(rec, "recordData")
            marc_el = None
            if data:
                if len(data[0]):
                    marc_el = find_marc_record(data[0][0])
                elif (data[0].text or "").strip():  # recordPacking=string
                    marc_el = find_marc_record(parse_xml((data[0].text or "").strip().encode("utf-8")))
            if marc_el is None:
                result.records.append(RemoteRecord(position=position, record=None, problem="not MARCXML"))
            else:
                result.records.append(RemoteRecord(position=position, record=marc_from_element(marc_el)))
    return result


def sru_search(*, url: str, query: str, version: str = "1.2", start: int = 1, maximum: int = 10,
               schema: str = "marcxml", timeout: float = 30.0) -> RemoteResult:
    """Run a CQL searchRetrieve on a remote SRU server; RemoteError when it cannot be reached or read."""
    params = {"version": version, "query": query, "startRecord": str(start), "maximumRecords": str(maximum),
              "recordSchema": schema}
    if version != "2.0":
        params["operation"] = "searchRetrieve"
        params["recordPacking"] = "xml"
    return parse_response(parse_xml(http_get(url, params, timeout=timeout)))
