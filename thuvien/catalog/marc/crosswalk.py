"""Crosswalks from MARC21 to Dublin Core (oai_dc) and MODS, after LC's MARC-to-DC and
MARC-to-MODS mappings (simplified to the elements libraries exchange)."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from pymarc import Field, Record

DC_ELEMENTS = ("title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
               "format", "identifier", "source", "language", "relation", "coverage", "rights")
_TRAILING = " /:;,=."


def clean(text: str) -> str:
    """Strip ISBD punctuation left at the end of a MARC subfield."""
    text = text.strip()
    while text and text[-1] in _TRAILING and not text.endswith(("..", " .")):
        if text[-1] == "." and len(text) > 2 and text[-3] in " ." and text[-2].isupper():
            break  # an initial such as "A." stays
        text = text[:-1].rstrip()
    return text


def subfields(field: Field, codes: str) -> str:
    return clean(" ".join(s.value.strip() for s in field.subfields if s.code in codes and s.value.strip()))


_TYPES = {"a": "Text", "t": "Text", "c": "Text", "d": "Text", "e": "Image", "f": "Image", "g": "MovingImage",
          "i": "Sound", "j": "Sound", "k": "StillImage", "m": "Software", "o": "Collection", "p": "Collection",
          "r": "PhysicalObject"}


def to_dc(record: Record) -> dict[str, list[str]]:
    """Dublin Core elements (only non-empty ones) for oai_dc and simple displays."""
    dc: dict[str, list[str]] = {}

    def add(name: str, value: str) -> None:
        value = value.strip()
        if value and value not in dc.setdefault(name, []):
            dc[name].append(value)

    for f in record.get_fields("245"):
        add("title", subfields(f, "abfghknps"))
    for f in record.get_fields("100", "110", "111", "700", "710", "711", "720"):
        add("creator" if f.tag < "700" else "contributor", subfields(f, "abcdq" if f.tag.endswith("00") else "abcdn"))
    for f in record.get_fields("600", "610", "611", "630", "650", "651", "653"):
        add("subject", " -- ".join(clean(s.value) for s in f.subfields if s.code in "abcdqtvxyz" and s.value.strip()))
    for f in record.get_fields("082"):
        for s in f.get_subfields("a"):
            add("subject", s.strip())
    for f in record.get_fields("500", "505", "520"):
        add("description", subfields(f, "a"))
    for f in record.get_fields("260", "264"):
        for s in f.get_subfields("b"):
            add("publisher", clean(s))
        for s in f.get_subfields("c"):
            add("date", clean(s))
    leader = str(record.leader)
    if leader[6:7] in _TYPES:
        add("type", _TYPES[leader[6]])
    for f in record.get_fields("300"):
        add("format", subfields(f, "abce"))
    for f in record.get_fields("020"):
        for s in f.get_subfields("a"):
            add("identifier", "ISBN " + clean(s).split(" ")[0])
    for f in record.get_fields("022"):
        for s in f.get_subfields("a"):
            add("identifier", "ISSN " + clean(s))
    for f in record.get_fields("856"):
        for s in f.get_subfields("u"):
            add("identifier", s.strip())
    f008 = record.get("008")
    if f008 is not None and f008.data and len(f008.data) >= 38 and f008.data[35:38].strip(" |"):
        add("language", f008.data[35:38])
    for f in record.get_fields("041"):
        for s in f.get_subfields("a"):
            add("language", s.strip())
    for f in record.get_fields("490", "830", "440"):
        add("relation", subfields(f, "av"))
    for f in record.get_fields("651"):
        add("coverage", subfields(f, "a"))
    for f in record.get_fields("506", "540"):
        add("rights", subfields(f, "a"))
    return {k: v for k, v in dc.items() if v}


DC_NS = 'xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" ' \
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/' \
        'OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd"'


def to_dc_xml(record: Record) -> str:
    """An <oai_dc:dc> element with its namespaces, ready to embed in an OAI-PMH response."""
    dc = to_dc(record)
    parts = [f"<oai_dc:dc {DC_NS}>"]
    for name in DC_ELEMENTS:
        for value in dc.get(name, []):
            parts.append(f"<dc:{name}>{escape(value)}</dc:{name}>")
    parts.append("</oai_dc:dc>")
    return "".join(parts)


def _mods_subject(tag: str, code: str) -> str:
    if code == "z" or (tag == "651" and code == "a"):
        return "geographic"
    return "temporal" if code == "y" else "topic"


def to_mods_xml(record: Record) -> str:
    """A MODS 3 <mods> element with the common elements (titleInfo, name, originInfo, subject...)."""
    out = ['<mods xmlns="http://www.loc.gov/mods/v3" version="3.7">']
    for f in record.get_fields("245"):
        out.append("<titleInfo>")
        if f.get("a"):
            out.append(f"<title>{escape(clean(f.get('a') or ''))}</title>")
        if f.get("b"):
            out.append(f"<subTitle>{escape(clean(f.get('b') or ''))}</subTitle>")
        for code, name in (("n", "partNumber"), ("p", "partName")):
            for s in f.get_subfields(code):
                out.append(f"<{name}>{escape(clean(s))}</{name}>")
        out.append("</titleInfo>")
    for f in record.get_fields("100", "110", "111", "700", "710", "711"):
        kind = "personal" if f.tag.endswith("00") else "corporate" if f.tag.endswith("10") else "conference"
        usage = ' usage="primary"' if f.tag.startswith("1") else ""
        out.append(f'<name type="{kind}"{usage}><namePart>{escape(subfields(f, "abcq"))}</namePart>')
        if f.get("d"):
            out.append(f'<namePart type="date">{escape(clean(f.get("d") or ""))}</namePart>')
        for s in f.get_subfields("e"):
            out.append(f"<role><roleTerm type=\"text\">{escape(clean(s))}</roleTerm></role>")
        out.append("</name>")
    leader = str(record.leader)
    if leader[6:7] in "at":
        out.append("<typeOfResource>text</typeOfResource>")
    origin = []
    for f in record.get_fields("260", "264"):
        for s in f.get_subfields("a"):
            origin.append(f"<place><placeTerm type=\"text\">{escape(clean(s))}</placeTerm></place>")
        for s in f.get_subfields("b"):
            origin.append(f"<publisher>{escape(clean(s))}</publisher>")
        for s in f.get_subfields("c"):
            origin.append(f"<dateIssued>{escape(clean(s))}</dateIssued>")
    for f in record.get_fields("250"):
        origin.append(f"<edition>{escape(subfields(f, 'ab'))}</edition>")
    if origin:
        out.append("<originInfo>" + "".join(origin) + "</originInfo>")
    dc = to_dc(record)
    for lang in dc.get("language", []):
        out.append(f'<language><languageTerm authority="iso639-2b" type="code">{escape(lang)}</languageTerm></language>')
    for f in record.get_fields("300"):
        out.append(f"<physicalDescription><extent>{escape(subfields(f, 'abce'))}</extent></physicalDescription>")
    for f in record.get_fields("520"):
        out.append(f"<abstract>{escape(subfields(f, 'a'))}</abstract>")
    for f in record.get_fields("500", "504"):
        out.append(f"<note>{escape(subfields(f, 'a'))}</note>")
    for f in record.get_fields("600", "610", "650", "651"):
        topics = "".join(f"<{_mods_subject(f.tag, s.code)}>{escape(clean(s.value))}</{_mods_subject(f.tag, s.code)}>"
                         for s in f.subfields if s.code in "axyzv")
        out.append(f"<subject>{topics}</subject>")
    for f in record.get_fields("082"):
        for s in f.get_subfields("a"):
            out.append(f'<classification authority="ddc">{escape(s.strip())}</classification>')
    for f in record.get_fields("490"):
        out.append(f'<relatedItem type="series"><titleInfo><title>{escape(subfields(f, "a"))}</title></titleInfo></relatedItem>')
    for f in record.get_fields("020"):
        for s in f.get_subfields("a"):
            out.append(f'<identifier type="isbn">{escape(clean(s).split(" ")[0])}</identifier>')
    for f in record.get_fields("856"):
        for s in f.get_subfields("u"):
            out.append(f"<location><url>{escape(s.strip())}</url></location>")
    f001, f003 = record.get("001"), record.get("003")
    if f001 is not None:
        source = quoteattr((f003.data or "") if f003 is not None else "")
        out.append(f"<recordInfo><recordIdentifier source={source}>{escape(f001.data or '')}</recordIdentifier></recordInfo>")
    out.append("</mods>")
    return "".join(out)
