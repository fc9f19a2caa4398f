"""SIP2 (3M Standard Interchange Protocol 2.00) framing: parsing requests, formatting replies, the
AY/AZ error-detection checksum, dates, and the text encodings of old kiosks. Pure code, no Django.

A frame is `<code><fixed fields><variable fields>[AY<digit>AZ<4 hex>]` ended by CR (some kiosks
send CRLF: the LF then starts the next frame and is stripped). Variable fields are a two-letter
code, the value and `|`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# Width of the fixed part of each request (after the two-character code).
REQUEST_FIXED = {
    "93": 2,        # UID algorithm, PWD algorithm
    "99": 8,        # status, max print width, protocol version
    "63": 31,       # language, date, summary
    "23": 21,       # language, date
    "11": 38,       # SC renewal policy, no block, date, nb due date
    "09": 37,       # no block, date, return date
    "17": 18,
    "19": 18,
    "29": 38,       # third party allowed, no block, date, nb due date
    "65": 18,
    "35": 18,
    "37": 25,       # date, fee type, payment type, currency
    "15": 19,       # hold mode, date
    "25": 18,
    "01": 19,       # card retained, date
    "97": 0,
}
REPLY_TO = {"93": "94", "99": "98", "63": "64", "23": "24", "11": "12", "09": "10", "17": "18", "19": "20",
            "29": "30", "65": "66", "35": "36", "37": "38", "15": "16", "25": "26", "01": "24"}
SUPPORTED = "YYYYYYYYYYYYYYYY"  # BX: 23 11 09 01 99 97 93 63 35 37 17 19 25 15 29 65
BLANK_DATE = " " * 18
RESEND = b"96AZFEF6"  # "please resend": always carries its checksum
_TRAILER = re.compile(rb"\|?AY(\d)AZ([0-9A-Fa-f]{4})$")
_ENCODINGS = {"utf-8": "utf-8", "cp850": "cp850", "ascii": "ascii"}


class ParseError(ValueError):
    """A frame that is not a SIP2 request we know (the server answers 96)."""


@dataclass
class Request:
    code: str
    fixed: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    sequence: str | None = None

    def get(self, code: str, default: str = "") -> str:
        values = self.fields.get(code)
        return values[0] if values else default

    def flag(self, start: int, length: int = 1) -> str:
        return self.fixed[start:start + length]


@dataclass
class Reply:
    code: str
    fixed: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def add(self, code: str, value: object, *, optional: bool = False) -> Reply:
        """Append a field; an optional one is left out when empty."""
        text = "" if value is None else str(value)
        if text or not optional:
            self.fields.append((code, text))
        return self


def checksum(data: bytes) -> str:
    """The AZ value for everything up to and including "AZ": the two's complement of the byte sum."""
    return f"{(-sum(data)) & 0xFFFF:04X}"


def check_frame(frame: bytes) -> tuple[bytes, str | None, bool | None]:
    """Split the AY/AZ trailer off a frame: (body, sequence digit or None, checksum ok or None when absent)."""
    match = _TRAILER.search(frame)
    if match is None:
        return frame, None, None
    upto = frame[:match.end() - 4]  # through "AZ"
    ok = checksum(upto) == match.group(2).decode().upper()
    return frame[:match.start()], match.group(1).decode(), ok


def parse(body: str, sequence: str | None = None) -> Request:
    """Parse a decoded frame without its trailer into a Request; ParseError for anything malformed."""
    body = body.lstrip("\n").rstrip("\r\n")
    code = body[:2]
    if code not in REQUEST_FIXED:
        raise ParseError(f"unknown message {code!r}")
    width = REQUEST_FIXED[code]
    fixed = body[2:2 + width]
    if len(fixed) < width:
        raise ParseError(f"message {code}: fixed part {len(fixed)} characters, {width} expected")
    fields: dict[str, list[str]] = {}
    for part in body[2 + width:].split("|"):
        if not part:
            continue
        if len(part) < 2 or not part[:2].isalnum():
            raise ParseError(f"message {code}: bad field {part[:10]!r}")
        fields.setdefault(part[:2].upper(), []).append(part[2:])
    return Request(code=code, fixed=fixed, fields=fields, sequence=sequence)


def plain(text: str) -> str:
    """Vietnamese without diacritics, case kept (Đ→D, ư→u), for kiosks that cannot show Unicode."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def clean(value: str) -> str:
    """A field value that cannot break the frame: no `|`, CR or LF."""
    return value.replace("|", "/").replace("\r", " ").replace("\n", " ")


def encode(text: str, encoding: str) -> bytes:
    """Text in the terminal's encoding; Vietnamese folded to plain letters when it is not UTF-8."""
    codec = _ENCODINGS.get(encoding, "utf-8")
    if codec == "utf-8":
        return unicodedata.normalize("NFC", text).encode("utf-8")
    return plain(text).encode(codec, errors="replace")


def decode(data: bytes, encoding: str) -> str:
    """A frame's text; bytes the encoding cannot read become U+FFFD rather than an error."""
    return unicodedata.normalize("NFC", data.decode(_ENCODINGS.get(encoding, "utf-8"), errors="replace"))


def format_reply(reply: Reply, *, encoding: str = "utf-8", sequence: str | None = None,
                 error_detection: bool = True, line_end: bytes = b"\r") -> bytes:
    """The bytes of a reply frame: fields, then AY (echoing the request's) and AZ when error detection is on."""
    text = reply.code + reply.fixed + "".join(f"{code}{clean(value)}|" for code, value in reply.fields)
    data = encode(text, encoding)
    if error_detection:
        data += (f"AY{sequence}AZ" if sequence is not None else "AZ").encode("ascii")
        data += checksum(data).encode("ascii")
    return data + line_end


def sip_date(moment: dt.datetime | None, tz: dt.tzinfo | None = None) -> str:
    """`YYYYMMDDZZZZHHMMSS` in local time (ZZZZ = four blanks); 18 blanks for no date."""
    if moment is None:
        return BLANK_DATE
    if tz is not None and moment.tzinfo is not None:
        moment = moment.astimezone(tz)
    return moment.strftime("%Y%m%d    %H%M%S")


def parse_date(value: str, tz: dt.tzinfo) -> dt.datetime | None:
    """Read an 18-character SIP2 date (local when ZZZZ is blank, UTC when it is `   Z`); None when blank."""
    if not value.strip():
        return None
    try:
        naive = dt.datetime.strptime(value[:8] + value[12:18], "%Y%m%d%H%M%S")  # noqa: DTZ007
    except ValueError:
        return None
    return naive.replace(tzinfo=dt.UTC if value[8:12].strip() == "Z" else tz)


def yn(value: bool) -> str:
    return "Y" if value else "N"


def amount(value: object) -> str:
    """A VND amount as kiosks expect it: whole đồng, no decimals, no grouping."""
    return str(Decimal(str(value or 0)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
