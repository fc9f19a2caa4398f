"""The one crosswalk: MARC21 to MARCXML (MARC21 slim), Dublin Core and MODS, after the Library of
Congress's MARC-to-Dublin-Core and MARC-to-MODS crosswalks (reduced to the elements libraries
exchange). Every writer of these formats uses it: OAI-PMH, SRU, `export_marc`, and the record
downloads of the OPAC, staff client and API.

Pure code over MARC-in-JSON (a pymarc Record is converted first), writing strings without an XML
tree: a whole OAI-PMH ListRecords page is built from them. The tag lists that decide which fields
are names, subjects, series and notes live here too; `catalog.extract` uses the same ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pymarc import Field, Record

from thuvien.catalog.marc.marcjson import to_json

Marc = Mapping[str, Any]

MARC_NS = "http://www.loc.gov/MARC21/slim"
MARC_SCHEMA = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"
SRW_DC_NS = "info:srw/schema/1/dc-schema"
MODS_NS = "http://www.loc.gov/mods/v3"
MODS_SCHEMA = "http://www.loc.gov/standards/mods/v3/mods-3-7.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

DC_ELEMENTS = ("title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
               "format", "identifier", "source", "language", "relation", "coverage", "rights")

# -- which fields are what (shared with catalog.extract) ------------------------------------------
MAIN_NAME_TAGS = frozenset(("100", "110", "111"))
ADDED_NAME_TAGS = frozenset(("700", "710", "711"))
NAME_TAGS = MAIN_NAME_TAGS | ADDED_NAME_TAGS
TOPICAL_SUBJECT_TAGS = frozenset(("600", "610", "611", "630", "648", "650", "653"))
GEOGRAPHIC_SUBJECT_TAGS = frozenset(("651",))
GENRE_TAGS = frozenset(("655",))
SUBJECT_TAGS = TOPICAL_SUBJECT_TAGS | GEOGRAPHIC_SUBJECT_TAGS | GENRE_TAGS
SUBJECT_CODES = "abcdgqtvxyz"
CLASSIFICATION_TAGS = {"050": "lcc", "060": "nlm", "080": "udc", "082": "ddc", "084": None}
SERIES_TAGS = frozenset(("440", "490", "800", "810", "830"))
# 5XX notes that are not a description: rights (506, 540), other formats (530), the original (534)
NOT_DESCRIPTION = frozenset(("506", "530", "534", "540", "542"))

_TRAILING = " /:;,=."
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DATE_JUNK = "[]©℗cp?. "
_DC_TYPES = {"a": "Text", "t": "Text", "c": "Text", "d": "Text", "e": "Image", "f": "Image", "g": "MovingImage",
             "i": "Sound", "j": "Sound", "k": "StillImage", "m": "Software", "o": "Collection", "p": "Collection",
             "r": "PhysicalObject"}
_MODS_TYPES = {"a": "text", "t": "text", "c": "notated music", "d": "notated music", "e": "cartographic",
               "f": "cartographic", "g": "moving image", "i": "sound recording-nonmusical",
               "j": "sound recording-musical", "k": "still image", "m": "software, multimedia", "o": "mixed material",
               "p": "mixed material", "r": "three dimensional object"}


def clean(text: str) -> str:
    """Strip ISBD punctuation left at the end of a MARC subfield (an initial such as "A." stays)."""
    text = text.strip()
    while text and text[-1] in _TRAILING and not text.endswith(("..", " .")):
        if text[-1] == "." and len(text) > 2 and text[-3] in " ." and text[-2].isupper():
            break
        text = text[:-1].rstrip()
    return text


def subfields(field: Field, codes: str) -> str:
    """The named subfields of a pymarc field, joined and cleaned."""
    return clean(" ".join(s.value.strip() for s in field.subfields if s.code in codes and s.value.strip()))


def name_codes(tag: str) -> str:
    """Subfields that make up a name heading: personal (X00) or corporate/meeting (X10, X11)."""
    return "abcdq" if tag.endswith("00") else "abcdn"


def series_codes(tag: str) -> str:
    return "av" if tag == "490" else "atv"


def is_description_note(tag: str) -> bool:
    return tag[0] == "5" and tag not in NOT_DESCRIPTION


def note_codes(tag: str) -> str:
    return "agrt" if tag == "505" else "a"


def esc(value: object) -> str:
    """Escape text for XML content or a double-quoted attribute; characters XML 1.0 cannot carry
    (C0 controls other than tab, newline and CR) become U+FFFD, visibly."""
    s = str(value)
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    if '"' in s:
        s = s.replace('"', "&quot;")
    return _INVALID_XML.sub("\ufffd", s)


# -- reading MARC-in-JSON ------------------------------------------------------------------------

def as_json(record: Record | Marc) -> Marc:
    return to_json(record) if isinstance(record, Record) else record


def _fields(marc: Marc) -> Iterator[tuple[str, Any]]:
    for f in marc.get("fields", ()):
        yield from f.items()


def _subs(value: Any) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return []
    return [(code, text) for sf in value.get("subfields", ()) for code, text in sf.items()]


def _join(value: Any, codes: str) -> str:
    return clean(" ".join(t.strip() for c, t in _subs(value) if c in codes and t.strip()))


def _all(value: Any, code: str) -> list[str]:
    return [t.strip() for c, t in _subs(value) if c == code and t.strip()]


def _heading(value: Any, codes: str = SUBJECT_CODES) -> str:
    return " -- ".join(clean(t) for c, t in _subs(value) if c in codes and clean(t))


def control_number(marc: Marc) -> str:
    for tag, value in _fields(marc):
        if tag == "001" and isinstance(value, str):
            return value.strip()
    return ""


def _control(marc: Marc, tag: str) -> str:
    return next((v for t, v in _fields(marc) if t == tag and isinstance(v, str)), "") or ""


def _date(text: str) -> str:
    return clean(text).strip(_DATE_JUNK)


def _languages(marc: Marc) -> list[str]:
    out: list[str] = []
    f008 = _control(marc, "008")
    if len(f008) >= 38 and f008[35:38].strip(" |") and f008[35:38].isalpha():
        out.append(f008[35:38].lower())
    for tag, value in _fields(marc):
        if tag == "041":
            for text in _all(value, "a"):
                out.extend(text[i:i + 3].lower() for i in range(0, len(text) - 2, 3) if text[i:i + 3].isalpha())
    return list(dict.fromkeys(out))


# -- MARCXML -------------------------------------------------------------------------------------

def marcxml(record: Record | Marc, *, namespace: bool = True, prefix: str = "") -> str:
    """One MARC21 slim <record> element; `prefix` (e.g. "marc") qualifies the element names, and
    without `namespace` the element is bare (inside a <collection> that declares it)."""
    marc = as_json(record)
    p = f"{prefix}:" if prefix else ""
    out = []
    if namespace:
        xmlns = f'xmlns:{prefix}="{MARC_NS}"' if prefix else f'xmlns="{MARC_NS}"'
        out.append(f'<{p}record {xmlns} xmlns:xsi="{XSI_NS}" xsi:schemaLocation="{MARC_NS} {MARC_SCHEMA}">')
    else:
        out.append(f"<{p}record>")
    out.append(f"<{p}leader>{esc(marc.get('leader', ''))}</{p}leader>")
    for tag, value in _fields(marc):
        if isinstance(value, str):
            out.append(f'<{p}controlfield tag="{esc(tag)}">{esc(value)}</{p}controlfield>')
            continue
        out.append(f'<{p}datafield tag="{esc(tag)}" ind1="{esc(value.get("ind1", " ") or " ")}" '
                   f'ind2="{esc(value.get("ind2", " ") or " ")}">')
        for code, text in _subs(value):
            out.append(f'<{p}subfield code="{esc(code)}">{esc(text)}</{p}subfield>')
        out.append(f"</{p}datafield>")
    out.append(f"</{p}record>")
    return "".join(out)


# -- Dublin Core ---------------------------------------------------------------------------------

# fields that give one element from some of their subfields: tag -> (element, subfield codes)
_DC_ONE_FIELD = {"246": ("title", "abnp"), "720": ("contributor", "a"), "300": ("format", "abc"),
                 "340": ("format", "a"), "534": ("source", "t"), "786": ("source", "ot"), "530": ("relation", "a")}


def dublin_core(record: Record | Marc) -> dict[str, list[str]]:
    """Unqualified Dublin Core after LC's MARC-to-DC crosswalk: {element: values}, elements in
    DC_ELEMENTS order, only non-empty ones, each value once."""
    marc = as_json(record)
    dc: dict[str, list[str]] = {name: [] for name in DC_ELEMENTS}

    def add(name: str, value: str) -> None:
        value = value.strip()
        if value and value not in dc[name]:
            dc[name].append(value)

    dates: list[str] = []
    for tag, value in _fields(marc):
        if isinstance(value, str):
            continue
        if tag in _DC_ONE_FIELD:
            element, codes = _DC_ONE_FIELD[tag]
            add(element, _join(value, codes))
        elif tag == "245":
            add("title", _join(value, "abfgknps"))
        elif tag in MAIN_NAME_TAGS:
            add("creator", _join(value, name_codes(tag)))
        elif tag in ADDED_NAME_TAGS:
            add("contributor", _join(value, name_codes(tag)))
        elif tag in TOPICAL_SUBJECT_TAGS:
            add("subject", _heading(value))
        elif tag in CLASSIFICATION_TAGS:
            for text in _all(value, "a"):
                add("subject", text)
        elif tag in GEOGRAPHIC_SUBJECT_TAGS:
            add("coverage", _heading(value))
        elif tag == "752":
            add("coverage", _heading(value, "abcd"))
        elif tag in GENRE_TAGS:
            add("type", _join(value, "a"))
        elif is_description_note(tag):
            add("description", _join(value, note_codes(tag)))
        elif tag in ("260", "264") and (tag == "260" or value.get("ind2") in ("1", " ")):
            for text in _all(value, "b"):
                add("publisher", clean(text))
            dates.extend(_date(t) for t in _all(value, "c"))
        elif tag == "020":
            for text in _all(value, "a"):
                add("identifier", "ISBN " + clean(text).split(" ")[0])
        elif tag == "022":
            for text in _all(value, "a"):
                add("identifier", "ISSN " + clean(text))
        elif tag == "024":
            for text in _all(value, "a"):
                add("identifier", clean(text))
        elif tag == "856":
            for text in _all(value, "u"):
                add("identifier", text)
            for text in _all(value, "q"):
                add("format", text)
        elif tag in SERIES_TAGS:
            add("relation", _join(value, series_codes(tag)))
        elif tag in ("506", "540"):  # a rights statement may be a URI: kept as written, "/" and all
            for text in _all(value, "a"):
                add("rights", text)
        elif "760" <= tag <= "787":
            add("relation", _join(value, "t"))
    for d in dates:
        add("date", d)
    f008 = _control(marc, "008")
    if not dc["date"] and len(f008) >= 11 and f008[7:11].isdigit():
        add("date", f008[7:11])
    leader = str(marc.get("leader", ""))
    if leader[6:7] in _DC_TYPES:
        dc["type"].insert(0, _DC_TYPES[leader[6]])
    for lang in _languages(marc):
        add("language", lang)
    return {k: v for k, v in dc.items() if v}


def dc_xml(dc: Mapping[str, Iterable[str]], *, root: str = "oai_dc") -> str:
    """An <oai_dc:dc> element (OAI-PMH, downloads) or, with root="srw_dc", SRU's <srw_dc:dc>."""
    if root == "srw_dc":
        out = [f'<srw_dc:dc xmlns:srw_dc="{SRW_DC_NS}" xmlns:dc="{DC_NS}">']
    else:
        out = [f'<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="{DC_NS}" xmlns:xsi="{XSI_NS}" '
               f'xsi:schemaLocation="{OAI_DC_NS} {OAI_DC_SCHEMA}">']
    for name in DC_ELEMENTS:
        for v in dc.get(name, ()):
            out.append(f"<dc:{name}>{esc(v)}</dc:{name}>")
    out.append(f"</{root}:dc>")
    return "".join(out)


def to_dc(record: Record | Marc) -> dict[str, list[str]]:
    return dublin_core(record)


def to_dc_xml(record: Record | Marc) -> str:
    """The record's <oai_dc:dc>: the same element OAI-PMH serves and "download as DC" gives."""
    return dc_xml(dublin_core(record))


# -- MODS ----------------------------------------------------------------------------------------

def _mods_subject_part(tag: str, code: str) -> str:
    if code == "z" or (tag == "651" and code == "a"):
        return "geographic"
    if code == "y" or (tag == "648" and code == "a"):
        return "temporal"
    if code == "v" or (tag == "655" and code == "a"):
        return "genre"
    if tag in ("600", "610", "611") and code in "abcdq":
        return "name"
    return "topic"


def _mods_name(tag: str, value: Any) -> str:
    kind = "personal" if tag.endswith("00") else "corporate" if tag.endswith("10") else "conference"
    usage = ' usage="primary"' if tag[0] == "1" else ""
    parts = [f'<name type="{kind}"{usage}><namePart>{esc(_join(value, "abcq" if kind == "personal" else "abn"))}'
             "</namePart>"]
    for text in _all(value, "d"):
        parts.append(f'<namePart type="date">{esc(clean(text))}</namePart>')
    for text in _all(value, "e"):
        parts.append(f'<role><roleTerm type="text">{esc(clean(text))}</roleTerm></role>')
    for text in _all(value, "4"):
        parts.append(f'<role><roleTerm type="code" authority="marcrelator">{esc(text)}</roleTerm></role>')
    parts.append("</name>")
    return "".join(parts)


def _mods_subject(tag: str, value: Any) -> str:
    if tag in ("600", "610", "611"):
        name = _join(value, "abcdq")
        rest = [(c, t) for c, t in _subs(value) if c in "vxyz" and clean(t)]
        parts = [f"<name><namePart>{esc(name)}</namePart></name>"] if name else []
    else:
        rest = [(c, t) for c, t in _subs(value) if c in "abvxyz" and clean(t)]
        parts = []
    for code, text in rest:
        part = _mods_subject_part(tag, code)
        parts.append(f"<{part}>{esc(clean(text))}</{part}>")
    return "<subject>" + "".join(parts) + "</subject>" if parts else ""


def mods_xml(record: Record | Marc) -> str:
    """A MODS 3.7 <mods> element after LC's MARC-to-MODS mapping: titles, names with roles, type and
    genre, origin, language, extent, abstract, contents and notes, subjects, classification,
    series, identifiers, links and the record identifier."""
    marc = as_json(record)
    fields = list(_fields(marc))  # one walk of the record; each element below filters it
    out = [f'<mods xmlns="{MODS_NS}" xmlns:xsi="{XSI_NS}" version="3.7" '
           f'xsi:schemaLocation="{MODS_NS} {MODS_SCHEMA}">']
    for tag, value in fields:
        if tag in ("245", "246") and not isinstance(value, str):
            kind = ' type="alternative"' if tag == "246" else ""
            parts: list[str] = []
            for code, name in (("a", "title"), ("b", "subTitle"), ("n", "partNumber"), ("p", "partName")):
                parts.extend(f"<{name}>{esc(clean(t))}</{name}>" for t in _all(value, code) if clean(t))
            if parts:
                out.append(f"<titleInfo{kind}>" + "".join(parts) + "</titleInfo>")
    out.extend(_mods_name(tag, value) for tag, value in fields if tag in NAME_TAGS and _join(value, "a"))
    leader = str(marc.get("leader", ""))
    if leader[6:7] in _MODS_TYPES:
        out.append(f"<typeOfResource>{esc(_MODS_TYPES[leader[6]])}</typeOfResource>")
    out.extend(f"<genre>{esc(_join(value, 'a'))}</genre>" for tag, value in fields
               if tag in GENRE_TAGS and _join(value, "a"))
    origin: list[str] = []
    for tag, value in fields:
        if tag in ("260", "264") and not isinstance(value, str):
            origin.extend(f'<place><placeTerm type="text">{esc(clean(t))}</placeTerm></place>' for t in _all(value, "a"))
            origin.extend(f"<publisher>{esc(clean(t))}</publisher>" for t in _all(value, "b"))
            origin.extend(f"<dateIssued>{esc(_date(t))}</dateIssued>" for t in _all(value, "c") if _date(t))
        elif tag == "250" and _join(value, "ab"):
            origin.append(f"<edition>{esc(_join(value, 'ab'))}</edition>")
    if origin:
        out.append("<originInfo>" + "".join(origin) + "</originInfo>")
    out.extend(f'<language><languageTerm authority="iso639-2b" type="code">{esc(lang)}</languageTerm></language>'
               for lang in _languages(marc))
    for tag, value in fields:
        if tag == "300" and _join(value, "abce"):
            out.append(f"<physicalDescription><extent>{esc(_join(value, 'abce'))}</extent></physicalDescription>")
    for tag, value in fields:
        if isinstance(value, str) or not is_description_note(tag):
            continue
        text = _join(value, note_codes(tag))
        if not text:
            continue
        if tag == "520":
            out.append(f"<abstract>{esc(text)}</abstract>")
        elif tag == "505":
            out.append(f"<tableOfContents>{esc(text)}</tableOfContents>")
        else:
            out.append(f"<note>{esc(text)}</note>")
    out.extend(_mods_subject(tag, value) for tag, value in fields
               if tag in TOPICAL_SUBJECT_TAGS | GEOGRAPHIC_SUBJECT_TAGS)
    for tag, value in fields:
        if tag in CLASSIFICATION_TAGS:
            authority = CLASSIFICATION_TAGS[tag]
            attr = f' authority="{authority}"' if authority else ""
            out.extend(f"<classification{attr}>{esc(t)}</classification>" for t in _all(value, "a"))
    for tag, value in fields:
        if tag in SERIES_TAGS and _join(value, "a"):
            out.append(f'<relatedItem type="series"><titleInfo><title>{esc(_join(value, "a"))}</title></titleInfo>'
                       "</relatedItem>")
    for tag, value in fields:
        if tag == "020":
            out.extend(f'<identifier type="isbn">{esc(clean(t).split(" ")[0])}</identifier>' for t in _all(value, "a"))
        elif tag == "022":
            out.extend(f'<identifier type="issn">{esc(clean(t))}</identifier>' for t in _all(value, "a"))
        elif tag == "856":
            out.extend(f"<location><url>{esc(t)}</url></location>" for t in _all(value, "u"))
    cn = control_number(marc)
    if cn:
        source = _control(marc, "003").strip()
        attr = f' source="{esc(source)}"' if source else ""
        out.append(f"<recordInfo><recordIdentifier{attr}>{esc(cn)}</recordIdentifier></recordInfo>")
    out.append("</mods>")
    return "".join(out)


def to_mods_xml(record: Record | Marc) -> str:
    return mods_xml(record)
