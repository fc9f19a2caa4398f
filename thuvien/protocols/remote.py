"""Talking to remote servers: a small HTTP GET with a timeout, and MARCXML -> pymarc for parsed
(defusedxml) responses. Used by the OAI-PMH harvester and the SRU client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from pymarc import Field, Indicators, Leader, Record, Subfield

from thuvien.core.outbound import OutboundError, fetch

MARC_NS = "{http://www.loc.gov/MARC21/slim}"


class RemoteError(Exception):
    """The remote server could not be reached or answered something we cannot read."""


def http_get(base_url: str, params: Mapping[str, str], *, timeout: float = 60.0) -> bytes:
    """GET base_url?params through the outbound guard (internal addresses refused, redirects
    re-checked); RemoteError on refusal, network errors, HTTP errors or a non-http(s) URL."""
    try:
        return fetch(base_url, params, timeout=timeout)
    except OutboundError as exc:
        raise RemoteError(str(exc)) from exc


def parse_xml(data: bytes) -> Element:
    """Parse untrusted XML (no entities, no external references)."""
    try:
        return SafeET.fromstring(data)
    except (SafeET.ParseError, ValueError) as exc:  # DefusedXmlException is a ValueError
        raise RemoteError(f"unreadable XML: {exc}") from exc


def marc_from_element(el: Element) -> Record:
    """A pymarc Record from a MARC21 slim <record> element (namespaced or not)."""
    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    rec = Record(force_utf8=True)
    for child in el:
        name = local(child.tag)
        if name == "leader":
            text = (child.text or "").ljust(24)[:24]
            rec.leader = Leader(text)
        elif name == "controlfield":
            rec.add_field(Field(tag=child.get("tag", "   "), data=child.text or ""))
        elif name == "datafield":
            subs = [Subfield(code=sf.get("code", " "), value=sf.text or "") for sf in child
                    if local(sf.tag) == "subfield"]
            rec.add_field(Field(tag=child.get("tag", "   "),
                                indicators=Indicators(child.get("ind1", " ") or " ", child.get("ind2", " ") or " "),
                                subfields=subs))
    return rec


def find_marc_record(el: Element) -> Element | None:
    """The first MARC21 slim <record> at or below `el`."""
    if el.tag in (f"{MARC_NS}record", "record"):
        return el
    found = el.find(f".//{MARC_NS}record")
    return found


def marc_lines(record: Record) -> list[str]:
    """The record as human-readable MARC lines (=LDR, =001 ..., $a...)."""
    return [f"=LDR  {record.leader}"] + [str(f) for f in record.fields]


def text_of(el: Element | None, path: str, ns: Mapping[str, Any]) -> str:
    if el is None:
        return ""
    found = el.find(path, ns)  # type: ignore[arg-type]
    return (found.text or "").strip() if found is not None else ""
