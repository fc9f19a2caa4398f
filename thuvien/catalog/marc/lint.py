"""Checks of a MARC21 bibliographic record in the spirit of MARC::Lint: tags, indicators,
subfield codes, repeatability and required fields. Messages are plain sentences, one per problem,
starting with the tag they concern."""

from __future__ import annotations

import re

from pymarc import Record

from thuvien.catalog.marc.isbn import isbn_valid

_TAG = re.compile(r"^\d{3}$")
_IND = re.compile(r"^[0-9 ]$")
_CODE = re.compile(r"^[a-z0-9]$")

# tag: (repeatable, allowed ind1, allowed ind2, allowed subfield codes, non-repeatable subfield codes)
RULES: dict[str, tuple[bool, str, str, str, str]] = {
    "010": (False, " ", " ", "abz8", "a"),
    "020": (True, " ", " ", "acqz68", "ac"),
    "022": (True, " 01", " ", "alyzm2 68", "al"),
    "040": (False, " ", " ", "abcde68", "abc"),
    "041": (True, " 01", " 7", "abdefghjkmnpqrt2 68", ""),
    "082": (True, "017", " 04", "abmqz2 68", "bmq2"),
    "100": (False, "013", " ", "abcdefgjklnpqtu0124 68", "abdfgklnpqt"),
    "110": (False, "012", " ", "abcdefgklnptu0124 68", "acdfgklnpt"),
    "111": (False, "012", " ", "acdefgjklnpqtu0124 68", "acdefgklpqt"),
    "130": (False, "0123456789", " ", "adfghklmnoprst0128 6", "adfhklmorst"),
    "240": (False, "01", "0123456789", "adfghklmnoprs0128 6", "adfhklmors"),
    "245": (False, "01", "0123456789", "abcfghknps68", "abcfgh"),
    "246": (True, "0123", " 012345678", "abfghinp568", "abfgh"),
    "250": (True, " ", " ", "ab368", "ab3"),
    "260": (True, " 23", " ", "abcefg368", "3"),
    "264": (True, " 23", "01234", "abc368", "3"),
    "300": (True, " ", " ", "abcefg368", "3ac"),
    "490": (True, "01", " ", "alvxy3 68", "3"),
    "500": (True, " ", " ", "a35 68", "a3"),
    "504": (True, " ", " ", "ab68", "ab"),
    "520": (True, " 012348", " ", "abcu23 68", "abc3"),
    "600": (True, "013", "01234567", "abcdefghjklmnopqrstuvxyz01234 68", ""),
    "610": (True, "012", "01234567", "abcdefghklmnoprstuvxyz01234 68", ""),
    "650": (True, " 012", "01234567", "abcdegvxyz01234 68", "ab"),
    "651": (True, " ", "01234567", "aegvxyz01234 68", "a"),
    "653": (True, " 012", " 0123456", "a68", ""),
    "700": (True, "013", " 2", "abcdefghijklmnopqrstux012345 68", ""),
    "710": (True, "012", " 2", "abcdefghiklmnoprstux012345 68", ""),
    "856": (True, " 012347", " 012348", "abcdfhilmnopqrstuvwxyz23678", ""),
}
NON_REPEATABLE_CONTROL = {"001", "003", "005", "008"}


def lint(record: Record) -> list[str]:
    """Problems found in `record` (an empty list when none)."""
    messages: list[str] = []
    leader = str(record.leader)
    if len(leader) != 24:
        messages.append(f"LDR: leader must be 24 characters, not {len(leader)}.")
    elif leader[9] not in " a":
        messages.append("LDR: position 09 (character coding) must be blank or 'a'.")
    seen: dict[str, int] = {}
    for field in record.fields:
        seen[field.tag] = seen.get(field.tag, 0) + 1
    if "245" not in seen:
        messages.append("245: the record has no title field (245), which is required.")
    if "008" not in seen:
        messages.append("008: the record has no fixed-length data field (008).")
    if sum(seen.get(t, 0) for t in ("100", "110", "111", "130")) > 1:
        messages.append("1XX: only one main entry (100/110/111/130) is allowed.")
    for tag in NON_REPEATABLE_CONTROL:
        if seen.get(tag, 0) > 1:
            messages.append(f"{tag}: field is not repeatable.")
    for tag, (repeatable, *_rest) in RULES.items():
        if not repeatable and seen.get(tag, 0) > 1:
            messages.append(f"{tag}: field is not repeatable.")
    for field in record.fields:
        tag = field.tag
        if not _TAG.match(tag):
            messages.append(f"{tag}: tag must be three digits.")
            continue
        if field.control_field:
            if tag == "008" and len(field.data or "") != 40:
                messages.append(f"008: must be 40 characters, not {len(field.data or '')}.")
            continue
        if not field.subfields:
            messages.append(f"{tag}: field has no subfields.")
            continue
        for pos, ind in ((1, field.indicator1), (2, field.indicator2)):
            if not _IND.match(ind or ""):
                messages.append(f"{tag}: indicator {pos} {ind!r} must be a digit or blank.")
        counts: dict[str, int] = {}
        for sub in field.subfields:
            counts[sub.code] = counts.get(sub.code, 0) + 1
            if not _CODE.match(sub.code):
                messages.append(f"{tag}: subfield code {sub.code!r} must be a lower-case letter or a digit.")
            elif not sub.value.strip():
                messages.append(f"{tag}: subfield ${sub.code} is empty.")
        rule = RULES.get(tag)
        if rule is not None:
            _rep, ind1, ind2, codes, single = rule
            if field.indicator1 not in ind1:
                messages.append(f"{tag}: first indicator {field.indicator1!r} is not valid.")
            if field.indicator2 not in ind2:
                messages.append(f"{tag}: second indicator {field.indicator2!r} is not valid.")
            for code, n in counts.items():
                if _CODE.match(code) and code not in codes:
                    messages.append(f"{tag}: subfield ${code} is not valid in this field.")
                elif code in single and n > 1:
                    messages.append(f"{tag}: subfield ${code} is not repeatable.")
        if tag == "245":
            if field.subfields[0].code not in "a6k":
                messages.append("245: must start with subfield $a.")
            if not field.get("a") and not field.get("k"):
                messages.append("245: subfield $a (title) is required.")
        if tag == "020":
            for value in field.get_subfields("a"):
                number = value.strip().split(" ")[0]
                if not isbn_valid(number):
                    messages.append(f"020: ISBN {number!r} in $a is not valid (use $z for invalid ISBNs).")
        if tag == "041" and any(len(s.value.strip()) % 3 for s in field.subfields if s.code == "a"):
            messages.append("041: language codes must be three letters (MARC code list).")
    return messages
