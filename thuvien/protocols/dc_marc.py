"""Unqualified Dublin Core (oai_dc) -> MARC21, after the Library of Congress "Dublin Core to MARC
Crosswalk" (www.loc.gov/marc/dccross.html), adapted to what the catalogue indexes.

Pure code (no Django): `dc_from_element` reads an <oai_dc:dc> element into {element: [values]},
`dc_to_marc` builds a pymarc Record. Where LC maps creators and contributors to 720, this
crosswalk uses 100 (first creator) and 700 (the others), and subjects go to 653, so harvested
records are searchable like catalogued ones. Every non-empty value lands in some field, in NFC
and otherwise unchanged; empty or whitespace-only elements are skipped.

    title        245 $a (first), 246 33 $a (the others)
    creator      100 $a (first), 700 $a (the others)
    contributor  700 $a
    subject      653 $a
    description  520 $a
    publisher    260 $b          date  260 $c; the first 4-digit year also in 008/07-10
    type         the first recognised type sets leader/06 (and /07); values other than the DCMI Type
                 Vocabulary ("Sách", "Luận văn", "info:eu-repo/semantics/article") also 655 _7 $a $2 local
    format       856 $q for a media type (text/html), else 300 $a
    identifier   856 40 $u (URL), 020 $a (ISBN; $z when its check digit is wrong), 022 (ISSN),
                 024 7_ $2 doi (DOI), else 024 8_ $a
    source       786 0_ $n       relation  787 0_ $n
    language     041 0_ $a (MARC codes) and 008/35-37; a language not recognised goes to 546 $a
    coverage     648 _4 $a (a year or period), else 651 _4 $a
    rights       540 $a
The OAI identifier goes to 035 $a "(OAI)oai:...", with a 500 note saying where the record came from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from xml.etree.ElementTree import Element

from pymarc import Field, Indicators, Leader, Record, Subfield

from thuvien.catalog.marc.isbn import isbn_valid, issn_normalize
from thuvien.core.text import fold

OAI_DC_NS = "{http://www.openarchives.org/OAI/2.0/oai_dc/}"
DC_NS = "{http://purl.org/dc/elements/1.1/}"
DC_ELEMENTS = ("title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
               "format", "identifier", "source", "language", "relation", "coverage", "rights")
NOTE = "Biểu ghi chuyển đổi từ Dublin Core, thu thập qua OAI-PMH từ {base_url}."


class DCRecordError(ValueError):
    """A Dublin Core record that cannot become a MARC record (it has no title)."""


# ISO 639-1 -> MARC language code (the bibliographic ISO 639-2/B code).
ISO639_1 = {
    "vi": "vie", "en": "eng", "fr": "fre", "zh": "chi", "ru": "rus", "de": "ger", "ja": "jpn", "ko": "kor",
    "lo": "lao", "km": "khm", "th": "tha", "es": "spa", "it": "ita", "pt": "por", "nl": "dut", "la": "lat",
    "pl": "pol", "cs": "cze", "id": "ind", "ms": "may", "my": "bur", "ar": "ara", "hi": "hin", "sv": "swe",
    "da": "dan", "no": "nor", "fi": "fin", "hu": "hun", "uk": "ukr", "bg": "bul", "ro": "rum", "el": "gre",
    "tr": "tur", "he": "heb", "fa": "per", "tl": "tgl", "bo": "tib", "mn": "mon", "sk": "slo", "sr": "srp",
    "hr": "hrv", "sl": "slv", "ca": "cat", "eo": "epo",
}
# ISO 639-2/T codes whose MARC (639-2/B) code differs.
ISO639_2T = {"fra": "fre", "zho": "chi", "deu": "ger", "nld": "dut", "ces": "cze", "msa": "may", "mya": "bur",
             "ron": "rum", "ell": "gre", "fas": "per", "bod": "tib", "slk": "slo", "sqi": "alb", "hye": "arm",
             "eus": "baq", "kat": "geo", "isl": "ice", "mkd": "mac", "mri": "mao", "cym": "wel"}
# Language names as written in Vietnamese and English repositories (folded: no diacritics, lower case).
LANGUAGE_NAMES = {
    "tieng viet": "vie", "viet": "vie", "vietnamese": "vie", "tieng anh": "eng", "english": "eng",
    "tieng phap": "fre", "french": "fre", "tieng trung": "chi", "tieng hoa": "chi", "han": "chi",
    "chinese": "chi", "tieng nga": "rus", "russian": "rus", "tieng duc": "ger", "german": "ger",
    "tieng nhat": "jpn", "japanese": "jpn", "tieng han": "kor", "korean": "kor", "tieng lao": "lao",
    "lao": "lao", "tieng khmer": "khm", "khmer": "khm", "tieng thai": "tha", "thai": "tha",
    "tieng tay": "tai", "tieng nung": "tai", "tieng tay ban nha": "spa", "spanish": "spa",
}

# DC type (DCMI Type Vocabulary and the free words repositories use; folded) -> leader/06, /07
TYPE_LEADER: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("movingimage", "moving image", "video", "film", "phim"), "g", "m"),
    (("stillimage", "still image", "image", "photograph", "picture", "anh", "hinh anh", "tranh"), "k", "m"),
    (("map", "ban do", "cartographic"), "e", "m"),
    (("music", "am nhac", "ban nhac", "score", "musical"), "j", "m"),
    (("sound", "audio", "am thanh", "sach noi", "ghi am"), "i", "m"),
    (("software", "dataset", "interactiveresource", "interactive resource", "phan mem", "du lieu"), "m", "m"),
    (("physicalobject", "physical object", "hien vat"), "r", "m"),
    (("collection", "bo suu tap"), "p", "c"),
    (("text", "book", "article", "thesis", "dissertation", "report", "sach", "bai bao", "bai trich",
      "luan van", "luan an", "bao cao", "giao trinh", "tai lieu", "van ban", "tap chi", "journal"), "a", "m"),
)

# The DCMI Type Vocabulary: fully said by leader/06 (MARC -> DC gives the same word back), so no 655.
DCMI_TYPES = frozenset(("collection", "dataset", "event", "image", "interactiveresource", "movingimage",
                        "physicalobject", "service", "software", "sound", "stillimage", "text"))

_URL = re.compile(r"^(https?|ftp)://\S+$", re.IGNORECASE)
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9][a-z0-9.+-]*(\s*;.*)?$", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(1[0-9]\d\d|20\d\d)(?!\d)")
_PERIOD = re.compile(r"^\s*(\d{1,4}|\d{1,4}\s*[-–]\s*\d{0,4}|(thế kỷ|century)\s.*|.*\s(thế kỷ|century))\s*$",
                     re.IGNORECASE)
_ISBN_PREFIX = re.compile(r"^\s*(urn:isbn:|isbn(-1[03])?\s*:?)\s*", re.IGNORECASE)
_ISSN_PREFIX = re.compile(r"^\s*(urn:issn:|issn\s*:?)\s*", re.IGNORECASE)
_DOI = re.compile(r"^\s*(doi:\s*|https?://(dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)\s*$", re.IGNORECASE)


def clean(value: str) -> str:
    """NFC, runs of white space (newlines from pretty-printed XML) as one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", value).split())


# ISO 2709 holds at most 9,999 bytes in a field; a value longer than this (UTF-8) is cut at spaces
# into several repeats of its field, so a long abstract still exports.
FIELD_TEXT_LIMIT = 9000


def split_text(text: str, limit: int = FIELD_TEXT_LIMIT) -> list[str]:
    """`text` in pieces of at most `limit` UTF-8 bytes, cut at spaces where there is one: joined
    with single spaces the pieces give the text back (it is `clean`ed: no runs of spaces)."""
    if len(text.encode()) <= limit:
        return [text]
    pieces: list[str] = []
    while len(text.encode()) > limit:
        head = text.encode()[:limit].decode(errors="ignore")  # whole characters only
        cut = head.rfind(" ")
        if cut <= 0:  # one enormous word: cut inside it
            pieces.append(head)
            text = text[len(head):]
        else:
            pieces.append(head[:cut])
            text = text[cut + 1:]
    return [*pieces, text] if text else pieces


def dc_from_element(el: Element) -> dict[str, list[str]]:
    """{element: [values in document order]} of an <oai_dc:dc> element (or any element holding dc:*
    children); empty and whitespace-only values are left out."""
    dc: dict[str, list[str]] = {}
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if not tag.startswith(DC_NS):
            continue
        name = tag[len(DC_NS):]
        value = clean("".join(child.itertext()))
        if name in DC_ELEMENTS and value:
            dc.setdefault(name, []).append(value)
    return dc


def find_dc(el: Element) -> Element | None:
    """The first <oai_dc:dc> at or below `el`."""
    if el.tag == f"{OAI_DC_NS}dc":
        return el
    return el.find(f".//{OAI_DC_NS}dc")


def language_code(value: str) -> str | None:
    """The MARC language code for "vi", "vi_VN", "en-US", "vie", "fra", "Tiếng Việt"...; None if unknown."""
    v = value.strip()
    base = re.split(r"[-_ ]", v, maxsplit=1)[0].lower()
    if len(base) == 2 and base.isalpha() and base.isascii() and (len(v) == 2 or v[2] in "-_"):
        return ISO639_1.get(base)
    if len(v) == 3 and v.isascii() and v.isalpha():
        code = v.lower()
        return ISO639_2T.get(code, code)
    return LANGUAGE_NAMES.get(fold(v))


def first_year(values: Iterable[str]) -> str | None:
    """The first plausible 4-digit year (1000-2099) in the values: "2015-03-02" -> "2015", "[1998?]" -> "1998"."""
    for v in values:
        m = _YEAR.search(v)
        if m:
            return m.group(1)
    return None


def _leader_type(types: Iterable[str]) -> tuple[str, str]:
    for t in types:
        # "info:eu-repo/semantics/article" (OpenAIRE, common in DSpace) is read as "article"
        key = " ".join(fold(t.rsplit("/", 1)[-1]).replace("_", " ").split())
        for words, rec_type, level in TYPE_LEADER:
            if any(key == w or key.startswith(w + " ") for w in words):
                return rec_type, level
    return "a", "m"


def _name_field(tag: str, name: str) -> Field:
    # "Nguyễn, Văn A" is a surname-first (inverted) name; "Nguyễn Du" is written in direct order.
    return Field(tag=tag, indicators=Indicators("1" if "," in name else "0", " "), subfields=[Subfield("a", name)])


def _identifier_fields(value: str) -> list[Field]:
    if _URL.match(value):
        return [Field(tag="856", indicators=Indicators("4", "0"), subfields=[Subfield("u", value)])]
    isbn_text = _ISBN_PREFIX.sub("", value, count=1)
    has_isbn_prefix = isbn_text != value
    number, _, qualifier = isbn_text.partition(" ")
    if has_isbn_prefix or isbn_valid(number):
        if isbn_valid(number):
            subs = [Subfield("a", number)]
            if qualifier.strip():
                subs.append(Subfield("q", qualifier.strip().strip("()").strip()))
            return [Field(tag="020", indicators=Indicators(" ", " "), subfields=subs)]
        if has_isbn_prefix:
            return [Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("z", isbn_text)])]
    issn_text = _ISSN_PREFIX.sub("", value, count=1)
    if issn_text != value:
        issn = issn_normalize(issn_text)
        code = "a" if issn else "y"
        return [Field(tag="022", indicators=Indicators(" ", " "), subfields=[Subfield(code, issn or issn_text)])]
    doi = _DOI.match(value)
    if doi:
        return [Field(tag="024", indicators=Indicators("7", " "),
                      subfields=[Subfield("a", doi.group(3)), Subfield("2", "doi")])]
    return [Field(tag="024", indicators=Indicators("8", " "), subfields=[Subfield("a", value)])]


def dc_to_marc(dc: Mapping[str, Iterable[str]], *, oai_identifier: str, base_url: str, entered: date | str) -> Record:
    """A MARC21 bibliographic record (UTF-8, leader/09 "a") for a Dublin Core record; `entered` is
    the date for 008/00-05 (a date, or "yymmdd" kept from an earlier conversion). DCRecordError
    when the record has no title."""
    values = {name: [c for c in (clean(v) for v in dc.get(name, ())) if c] for name in DC_ELEMENTS}
    titles = values["title"]
    if not titles:
        raise DCRecordError("Dublin Core record without a title (dc:title)")
    rec_type, level = _leader_type(values["type"])
    record = Record(force_utf8=True)
    record.leader = Leader(f"00000n{rec_type}{level} a2200000uu 4500")

    year = first_year(values["date"])
    codes: list[str] = []
    unknown_languages: list[str] = []
    for v in values["language"]:
        code = language_code(v)
        if code is None:
            unknown_languages.append(v)
        elif code not in codes:
            codes.append(code)
    entered_text = entered if isinstance(entered, str) else entered.strftime("%y%m%d")
    dates = f"s{year}    " if year else "nuuuuuuuu"
    fixed = f"{entered_text[:6]:6}{dates}xx {' ' * 17}{codes[0] if codes else 'und'} d"
    record.add_field(Field(tag="008", data=fixed))

    def add(tag: str, ind: tuple[str, str], subfields: list[Subfield]) -> None:
        if len(subfields) == 1:  # a long text (an abstract, rights) becomes several fields of the same tag
            code, text = subfields[0].code, subfields[0].value
            for piece in split_text(text):
                record.add_field(Field(tag=tag, indicators=Indicators(*ind), subfields=[Subfield(code, piece)]))
            return
        record.add_field(Field(tag=tag, indicators=Indicators(*ind), subfields=subfields))

    blank = (" ", " ")
    identifier_fields: list[Field] = []
    for v in values["identifier"]:
        identifier_fields.extend(_identifier_fields(v))
    for f in identifier_fields:
        if f.tag != "856":
            record.add_field(f)
    add("035", blank, [Subfield("a", f"(OAI){oai_identifier}")])
    if codes:
        add("041", ("0", " "), [Subfield("a", c) for c in codes])
    add("042", blank, [Subfield("a", "dc")])
    creators = values["creator"]
    if creators:
        record.add_field(_name_field("100", creators[0]))
    add("245", ("1" if creators else "0", "0"), [Subfield("a", titles[0])])
    for t in titles[1:]:
        add("246", ("3", "3"), [Subfield("a", t)])
    if values["publisher"] or values["date"]:
        add("260", blank, [Subfield("b", p) for p in values["publisher"]] + [Subfield("c", d) for d in values["date"]])
    media_types = []
    for v in values["format"]:
        if _MEDIA_TYPE.match(v):
            media_types.append(v)
        else:
            add("300", blank, [Subfield("a", v)])
    add("500", blank, [Subfield("a", NOTE.format(base_url=base_url))])
    for v in values["description"]:
        add("520", blank, [Subfield("a", v)])
    for v in values["rights"]:
        add("540", blank, [Subfield("a", v)])
    for v in unknown_languages:
        add("546", blank, [Subfield("a", v)])
    for v in values["coverage"]:
        add("648" if _PERIOD.match(v) else "651", (" ", "4"), [Subfield("a", v)])
    for v in values["subject"]:
        add("653", blank, [Subfield("a", v)])
    for v in values["type"]:
        if v.replace(" ", "").lower() in DCMI_TYPES:
            continue
        add("655", (" ", "7"), [Subfield("a", v), Subfield("2", "local")])
    for name in creators[1:] + values["contributor"]:
        record.add_field(_name_field("700", name))
    for v in values["source"]:
        add("786", ("0", " "), [Subfield("n", v)])
    for v in values["relation"]:
        add("787", ("0", " "), [Subfield("n", v)])
    links = [f for f in identifier_fields if f.tag == "856"]
    if links:
        for f in links:
            for mt in media_types:
                f.add_subfield("q", mt)
            record.add_field(f)
    elif media_types:
        add("856", blank, [Subfield("q", mt) for mt in media_types])
    record.fields.sort(key=lambda f: f.tag)  # stable: values keep their order within a tag
    return record
