"""Record serialisations used by SRU and OAI-PMH, written straight from MARC-in-JSON for speed.

Pure code (no database): MARC21 slim (MARCXML), Dublin Core (oai_dc / SRU dc) and MODS (a
useful subset). A whole ListRecords page is built from these strings, so they avoid any XML tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

MARC_NS = "http://www.loc.gov/MARC21/slim"
MARC_SCHEMA = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
SRW_DC_NS = "info:srw/schema/1/dc-schema"
MODS_NS = "http://www.loc.gov/mods/v3"
MODS_SCHEMA = "http://www.loc.gov/standards/mods/v3/mods-3-7.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
DC_ELEMENTS = ("title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
               "format", "identifier", "source", "language", "relation", "coverage", "rights")


def esc(value: object) -> str:
    """Escape text for XML element content or a double-quoted attribute; drop characters XML forbids."""
    s = str(value)
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    if '"' in s:
        s = s.replace('"', "&quot;")
    return _INVALID_XML.sub("", s)


def _field_items(marc: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    for f in marc.get("fields", ()):
        yield from f.items()


def marcxml(marc: Mapping[str, Any], *, namespace: bool = True, prefix: str = "") -> str:
    """One MARC21 slim <record> element; `prefix` (e.g. "marc") qualifies the element names."""
    p = f"{prefix}:" if prefix else ""
    out = []
    if namespace:
        xmlns = f'xmlns:{prefix}="{MARC_NS}"' if prefix else f'xmlns="{MARC_NS}"'
        out.append(f'<{p}record {xmlns} xmlns:xsi="{XSI_NS}" xsi:schemaLocation="{MARC_NS} {MARC_SCHEMA}">')
    else:
        out.append(f"<{p}record>")
    out.append(f"<{p}leader>{esc(marc.get('leader', ''))}</{p}leader>")
    for tag, value in _field_items(marc):
        if isinstance(value, str):
            out.append(f'<{p}controlfield tag="{esc(tag)}">{esc(value)}</{p}controlfield>')
            continue
        out.append(f'<{p}datafield tag="{esc(tag)}" ind1="{esc(value.get("ind1", " ") or " ")}" '
                   f'ind2="{esc(value.get("ind2", " ") or " ")}">')
        for sf in value.get("subfields", ()):
            for code, text in sf.items():
                out.append(f'<{p}subfield code="{esc(code)}">{esc(text)}</{p}subfield>')
        out.append(f"</{p}datafield>")
    out.append(f"</{p}record>")
    return "".join(out)


def _subfields(value: Any, codes: str) -> list[str]:
    if isinstance(value, str):
        return []
    return [text for sf in value.get("subfields", ()) for code, text in sf.items() if code in codes]


def _clean(s: str) -> str:
    return s.strip().rstrip(" /:;,=").strip()


def control_number(marc: Mapping[str, Any]) -> str:
    for tag, value in _field_items(marc):
        if tag == "001" and isinstance(value, str):
            return value.strip()
    return ""


def dublin_core(marc: Mapping[str, Any]) -> dict[str, list[str]]:
    """The usual MARC21 -> unqualified Dublin Core crosswalk (LC), reduced to what libraries use."""
    dc: dict[str, list[str]] = {name: [] for name in DC_ELEMENTS}
    fixed = ""
    for tag, value in _field_items(marc):
        if tag == "008" and isinstance(value, str):
            fixed = value
        elif tag == "245":
            title = " ".join(_clean(s) for s in _subfields(value, "abnp") if _clean(s))
            if title:
                dc["title"].append(title)
        elif tag in ("100", "110", "111", "700", "710", "711", "720"):
            name = " ".join(_clean(s) for s in _subfields(value, "abcdq") if _clean(s))
            if name:
                dc["creator" if tag[0] == "1" else "contributor"].append(name)
        elif tag[0] == "6" and tag in ("600", "610", "611", "630", "650", "651", "653", "655"):
            parts = [_clean(s) for s in _subfields(value, "abcdvxyz") if _clean(s)]
            if parts:
                dc["subject"].append(" -- ".join(parts))
        elif tag in ("082", "080", "084"):
            dc["subject"].extend(_clean(s) for s in _subfields(value, "a") if _clean(s))
        elif tag in ("520", "500", "505"):
            dc["description"].extend(s.strip() for s in _subfields(value, "a") if s.strip())
        elif tag in ("260", "264"):
            dc["publisher"].extend(_clean(s) for s in _subfields(value, "b") if _clean(s))
            dc["date"].extend(_clean(s).strip("[]c©. ") for s in _subfields(value, "c") if _clean(s))
        elif tag == "300":
            extent = " ".join(_clean(s) for s in _subfields(value, "abc") if _clean(s))
            if extent:
                dc["format"].append(extent)
        elif tag == "020":
            dc["identifier"].extend(f"ISBN {s.split()[0]}" for s in _subfields(value, "a") if s.strip())
        elif tag == "022":
            dc["identifier"].extend(f"ISSN {s.strip()}" for s in _subfields(value, "a") if s.strip())
        elif tag == "856":
            dc["identifier"].extend(s.strip() for s in _subfields(value, "u") if s.strip())
        elif tag == "041":
            dc["language"].extend(s.strip() for s in _subfields(value, "a") if s.strip())
        elif tag in ("490", "830", "440"):
            dc["relation"].extend(_clean(s) for s in _subfields(value, "a") if _clean(s))
        elif tag == "540" or tag == "506":
            dc["rights"].extend(s.strip() for s in _subfields(value, "a") if s.strip())
    if len(fixed) >= 38:
        lang = fixed[35:38].strip()
        if lang and lang not in dc["language"] and lang not in ("|||", "   "):
            dc["language"].insert(0, lang)
        if not dc["date"] and fixed[7:11].isdigit():
            dc["date"].append(fixed[7:11])
    leader = str(marc.get("leader", ""))
    if len(leader) > 7:
        dc["type"].append(_DC_TYPES.get(leader[6], "Text"))
    return {k: v for k, v in dc.items() if v}


_DC_TYPES = {"a": "Text", "t": "Text", "c": "Text", "d": "Text", "e": "Image", "f": "Image", "g": "MovingImage",
             "i": "Sound", "j": "Sound", "k": "StillImage", "m": "Software", "o": "Collection", "p": "Collection",
             "r": "PhysicalObject"}


def oai_dc_xml(dc: Mapping[str, list[str]]) -> str:
    """An <oai_dc:dc> element."""
    out = [f'<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="{DC_NS}" xmlns:xsi="{XSI_NS}" '
           f'xsi:schemaLocation="{OAI_DC_NS} {OAI_DC_SCHEMA}">']
    for name in DC_ELEMENTS:
        for v in dc.get(name, ()):
            out.append(f"<dc:{name}>{esc(v)}</dc:{name}>")
    out.append("</oai_dc:dc>")
    return "".join(out)


def srw_dc_xml(dc: Mapping[str, list[str]]) -> str:
    """A <srw_dc:dc> element (the SRU "dc" record schema)."""
    out = [f'<srw_dc:dc xmlns:srw_dc="{SRW_DC_NS}" xmlns:dc="{DC_NS}">']
    for name in DC_ELEMENTS:
        for v in dc.get(name, ()):
            out.append(f"<dc:{name}>{esc(v)}</dc:{name}>")
    out.append("</srw_dc:dc>")
    return "".join(out)


def mods_xml(marc: Mapping[str, Any]) -> str:
    """A MODS 3.7 record with title, names, origin, subjects, identifiers and record id."""
    dc = dublin_core(marc)
    out = [f'<mods xmlns="{MODS_NS}" xmlns:xsi="{XSI_NS}" version="3.7" xsi:schemaLocation="{MODS_NS} {MODS_SCHEMA}">']
    for t in dc.get("title", ())[:1]:
        out.append(f"<titleInfo><title>{esc(t)}</title></titleInfo>")
    for role, names in (("creator", dc.get("creator", ())), ("contributor", dc.get("contributor", ()))):
        for n in names:
            out.append(f'<name><namePart>{esc(n)}</namePart><role><roleTerm type="text">{role}</roleTerm></role></name>')
    for t in dc.get("type", ())[:1]:
        out.append(f"<typeOfResource>{esc(_MODS_TYPES.get(t, 'text'))}</typeOfResource>")
    if dc.get("publisher") or dc.get("date"):
        out.append("<originInfo>")
        for p in dc.get("publisher", ()):
            out.append(f"<publisher>{esc(p)}</publisher>")
        for d in dc.get("date", ())[:1]:
            out.append(f"<dateIssued>{esc(d)}</dateIssued>")
        out.append("</originInfo>")
    for lang in dc.get("language", ()):
        out.append(f'<language><languageTerm type="code" authority="iso639-2b">{esc(lang)}</languageTerm></language>')
    for f in dc.get("format", ()):
        out.append(f"<physicalDescription><extent>{esc(f)}</extent></physicalDescription>")
    for d in dc.get("description", ()):
        out.append(f"<note>{esc(d)}</note>")
    for s in dc.get("subject", ()):
        out.append("<subject>" + "".join(f"<topic>{esc(p)}</topic>" for p in s.split(" -- ")) + "</subject>")
    for ident in dc.get("identifier", ()):
        kind, _, value = ident.partition(" ")
        if kind in ("ISBN", "ISSN") and value:
            out.append(f'<identifier type="{kind.lower()}">{esc(value)}</identifier>')
        else:
            out.append(f'<identifier type="uri">{esc(ident)}</identifier>')
    cn = control_number(marc)
    if cn:
        out.append(f"<recordInfo><recordIdentifier>{esc(cn)}</recordIdentifier></recordInfo>")
    out.append("</mods>")
    return "".join(out)


_MODS_TYPES = {"Text": "text", "Image": "still image", "StillImage": "still image", "MovingImage": "moving image",
               "Sound": "sound recording", "Software": "software, multimedia", "Collection": "mixed material",
               "PhysicalObject": "three dimensional object"}
