"""One streaming entry point over ISO 2709, MARCXML and MARC-in-JSON files."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pymarc import Record

from thuvien.catalog.marc.iso2709 import JsonRecord, MarcError, parse_record, parse_utf8_json, split_records
from thuvien.catalog.marc.marcjson import from_json, iter_json
from thuvien.catalog.marc.marcxml import iter_marcxml

FORMATS = ("auto", "iso2709", "marcxml", "json")
ENCODINGS = ("auto", "marc8", "utf8")


@dataclass
class ReadResult:
    """One record read from a file: `record` is None when it could not be read (`error` says why).

    `offset` is the byte offset of the record in the file for ISO 2709, the line of the <record>
    element for MARCXML and the character offset for JSON; `index` counts records from 0.
    """

    record: Record | None
    raw: bytes
    offset: int
    index: int
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def sniff_format(head: bytes) -> str:
    """Guess the format from the first bytes of a file."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return "marcxml"
    if text.startswith((b"{", b"[")):
        return "json"
    return "iso2709"


def iter_records(source: str | Path | BinaryIO, *, format: str = "auto",  # noqa: A002 - the public name
                 encoding: str = "auto", start_offset: int = 0) -> Iterator[ReadResult]:
    """Yield a ReadResult per record, never raising for a bad record: memory stays flat.

    `encoding` applies to ISO 2709 ("auto" follows leader/09 but detects a record labelled MARC-8
    that is really UTF-8). `start_offset` resumes an ISO 2709 file at a byte offset (indexes
    then count from there).
    """
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}; use one of {', '.join(ENCODINGS)}")
    with contextlib.ExitStack() as stack:
        if isinstance(source, str | Path):
            stream: BinaryIO = stack.enter_context(open(source, "rb"))  # noqa: SIM115
        else:
            stream = source
        if format == "auto":
            pos = stream.tell()
            format = sniff_format(stream.read(512))  # noqa: A001
            stream.seek(pos)
        if format == "iso2709":
            yield from _iter_iso(stream, encoding, start_offset)
        elif format == "marcxml":
            for index, (line, raw, record, error, warnings) in enumerate(iter_marcxml(stream)):
                yield ReadResult(record=record, raw=raw, offset=line, index=index, error=error, warnings=warnings)
        else:
            for index, (offset, raw, obj, error) in enumerate(iter_json(stream)):
                if error is None:
                    try:
                        yield ReadResult(record=from_json(obj), raw=raw, offset=offset, index=index)
                        continue
                    except MarcError as exc:
                        error = str(exc)
                yield ReadResult(record=None, raw=raw, offset=offset, index=index, error=error)


def read_iso(raw: bytes, encoding: str = "auto") -> tuple[Record | None, str | None, list[str]]:
    """One ISO 2709 record as (record, error, warnings): a clean UTF-8 record goes the fast path
    (a JsonRecord, no pymarc fields built), anything else through parse_record's checks."""
    marc = parse_utf8_json(raw) if encoding != "marc8" else None
    if marc is not None:
        return JsonRecord(marc, raw), None, []
    try:
        record, warnings = parse_record(raw, encoding=encoding)
    except MarcError as exc:
        return None, str(exc), []
    return record, None, warnings


def _iter_iso(stream: BinaryIO, encoding: str, start_offset: int) -> Iterator[ReadResult]:
    if start_offset:
        stream.seek(start_offset)
    for index, (offset, raw) in enumerate(split_records(stream)):
        record, error, warnings = read_iso(raw, encoding)
        yield ReadResult(record=record, raw=raw, offset=start_offset + offset, index=index, error=error,
                         warnings=warnings)
