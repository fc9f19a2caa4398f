"""A strict MARC-8 to Unicode decoder that reports what it cannot convert instead of guessing.

pymarc's converter replaces unmappable bytes with a space and writes to stderr; an import that
must lose nothing needs to know, so this one raises `Marc8Error` with the byte position.
The output keeps MARC's order converted to Unicode's (base letter, then its combining marks), i.e.
decomposed text, as the Library of Congress conversion specification produces it.
"""

from __future__ import annotations

from pymarc import marc8_mapping

CODESETS = marc8_mapping.CODESETS
ODD_MAP = marc8_mapping.ODD_MAP

BASIC_LATIN = 0x42
ANSEL = 0x45
CJK = 0x31
_G0_INTERMEDIATE = {0x28, 0x2C}  # ESC ( F, ESC , F
_G1_INTERMEDIATE = {0x29, 0x2D}  # ESC ) F, ESC - F
_TECHNIQUE1 = {0x67: 0x67, 0x62: 0x62, 0x70: 0x70, 0x73: BASIC_LATIN}  # greek symbols, sub, super, ASCII
# C1 controls MARC-8 defines (LC "Code Tables": NSB/NSE, joiners).
_CONTROLS = {0x88: "\x98", 0x89: "\x9c", 0x8D: "\u200d", 0x8E: "\u200c"}
# Ligature and double tilde halves: LC's preferred Unicode form uses one double diacritic
# (U+0361, U+0360) after the first letter and drops the second half, as MARC-8 converters
# such as MARCMaker/MarcEdit do; brkrtest.mrc and brkrtest_UTF8.mrc agree only with this.
_HALF_MARKS = str.maketrans({"\ufe20": "\u0361", "\ufe21": None, "\ufe22": "\u0360", "\ufe23": None})


class Marc8Error(ValueError):
    """MARC-8 text that cannot be converted without loss; `position` is the byte offset."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (byte {position})")
        self.position = position


def _lookup(charset: int, code: int) -> tuple[int, int] | None:
    table = CODESETS.get(charset)
    if table is None:
        return None
    hit = table.get(code)
    if hit is None:
        hit = table.get(code ^ 0x80)  # the same set designated as G0 or G1
    return hit


def marc8_decode(data: bytes) -> str:
    """Convert one MARC-8 string (a control field or a subfield) to Unicode, or raise Marc8Error."""
    if data.isascii() and b"\x1b" not in data:
        return data.decode("ascii")
    g0, g1 = BASIC_LATIN, ANSEL
    out: list[str] = []
    combining: list[str] = []
    pos, n = 0, len(data)
    while pos < n:
        byte = data[pos]
        if byte == 0x1B:
            nxt = data[pos + 1] if pos + 1 < n else -1
            if nxt == 0x24:  # ESC $ [intermediate] F: multibyte set
                third = data[pos + 2] if pos + 2 < n else -1
                if third in _G1_INTERMEDIATE:
                    if pos + 3 >= n:
                        raise Marc8Error("incomplete escape sequence", pos)
                    g1 = data[pos + 3]
                    pos += 4
                elif third == 0x2C:
                    if pos + 3 >= n:
                        raise Marc8Error("incomplete escape sequence", pos)
                    g0 = data[pos + 3]
                    pos += 4
                elif third >= 0:
                    g0 = third
                    pos += 3
                else:
                    raise Marc8Error("incomplete escape sequence", pos)
                continue
            if nxt in _G0_INTERMEDIATE or nxt in _G1_INTERMEDIATE:
                if pos + 2 >= n:
                    raise Marc8Error("incomplete escape sequence", pos)
                if nxt in _G0_INTERMEDIATE:
                    g0 = data[pos + 2]
                else:
                    g1 = data[pos + 2]
                pos += 3
                continue
            if nxt in _TECHNIQUE1:
                g0 = _TECHNIQUE1[nxt]
                pos += 2
                continue
            raise Marc8Error("unknown escape sequence", pos)
        if byte in _CONTROLS:
            out.append(_CONTROLS[byte])
            pos += 1
            continue
        if byte < 0x20:
            raise Marc8Error(f"control character 0x{byte:02x}", pos)
        if byte == 0x20 and g0 != CJK:
            out.append(" ")
            out.extend(combining)
            combining.clear()
            pos += 1
            continue
        if byte < 0x80 and g0 == CJK:
            if pos + 3 > n:
                raise Marc8Error("truncated multibyte character", pos)
            code = (byte << 16) | (data[pos + 1] << 8) | data[pos + 2]
            hit = CODESETS[CJK].get(code)
            if hit is None and code in ODD_MAP:
                hit = (ODD_MAP[code], 0)
            if hit is None:
                raise Marc8Error(f"unmapped EACC character 0x{code:06x}", pos)
            pos += 3
        elif byte >= 0x80 and g1 == CJK:
            raise Marc8Error("EACC designated as G1 is not supported", pos)
        else:
            hit = _lookup(g1 if byte >= 0x80 else g0, byte)
            if hit is None:
                raise Marc8Error(f"byte 0x{byte:02x} has no mapping in the current character set", pos)
            pos += 1
        char, is_combining = chr(hit[0]), hit[1]
        if is_combining:
            combining.append(char)
        else:
            out.append(char)
            if combining:
                out.extend(combining)
                combining.clear()
    out.extend(combining)  # a trailing mark with no base is kept, not lost
    text = "".join(out)
    if "\ufe20" in text or "\ufe22" in text:
        text = text.translate(_HALF_MARKS)
    return text


def looks_like_utf8(data: bytes) -> bool:
    """True when bytes have non-ASCII content, no MARC-8 escapes, and decode cleanly as UTF-8:
    a record labelled MARC-8 that is really UTF-8 (a MARC-8 string with ANSEL diacritics before
    ASCII letters is practically never valid UTF-8)."""
    if data.isascii() or b"\x1b" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
