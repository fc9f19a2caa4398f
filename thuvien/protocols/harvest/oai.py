"""Reading one OAI-PMH ListRecords page from a remote repository (pure parsing over http_get)."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from pymarc import Record

from thuvien.protocols.dc_marc import dc_from_element, find_dc
from thuvien.protocols.remote import find_marc_record, http_get, marc_from_element, parse_xml

OAI = "{http://www.openarchives.org/OAI/2.0/}"


@dataclass
class PageRecord:
    identifier: str
    datestamp: str
    deleted: bool
    marc: Record | None = None
    dc: dict[str, list[str]] | None = None  # oai_dc: the elements, crosswalked to MARC by the harvester
    problem: str = ""


@dataclass
class Page:
    response_date: str
    records: list[PageRecord] = field(default_factory=list)
    token: str = ""
    cursor: int | None = None
    complete_list_size: int | None = None
    error_code: str = ""
    error_message: str = ""


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def parse_page(root: Element, *, metadata_prefix: str = "marc21") -> Page:
    """A ListRecords response document -> Page (errors are reported in error_code, not raised);
    records carry `marc` for marc21 and `dc` for oai_dc, or a `problem`."""
    page = Page(response_date=(root.findtext(f"{OAI}responseDate") or "").strip())
    err = root.find(f"{OAI}error")
    if err is not None:
        page.error_code = err.get("code", "")
        page.error_message = (err.text or "").strip()
        return page
    body = root.find(f"{OAI}ListRecords")
    if body is None:
        page.error_code, page.error_message = "badResponse", "no ListRecords element"
        return page
    for rec in body.findall(f"{OAI}record"):
        header = rec.find(f"{OAI}header")
        if header is None:
            continue
        item = PageRecord(identifier=(header.findtext(f"{OAI}identifier") or "").strip(),
                          datestamp=(header.findtext(f"{OAI}datestamp") or "").strip(),
                          deleted=header.get("status") == "deleted")
        if not item.deleted:
            metadata = rec.find(f"{OAI}metadata")
            if metadata_prefix == "oai_dc":
                dc_el = find_dc(metadata) if metadata is not None else None
                if dc_el is None:
                    item.problem = "no oai_dc record in metadata"
                else:
                    item.dc = dc_from_element(dc_el)
            else:
                marc_el = find_marc_record(metadata) if metadata is not None else None
                if marc_el is None:
                    item.problem = "no MARC21 record in metadata"
                else:
                    item.marc = marc_from_element(marc_el)
        page.records.append(item)
    token = body.find(f"{OAI}resumptionToken")
    if token is not None:
        page.token = (token.text or "").strip()
        page.cursor = _int(token.get("cursor"))
        page.complete_list_size = _int(token.get("completeListSize"))
    return page


def fetch_page(base_url: str, params: dict[str, str], *, timeout: float = 120.0,
               metadata_prefix: str = "marc21") -> Page:
    """GET one page; RemoteError when the server cannot be reached or its answer is not XML."""
    return parse_page(parse_xml(http_get(base_url, params, timeout=timeout)), metadata_prefix=metadata_prefix)
