"""The MARC editor's line form: one row per field (tag, indicators, "$a...$b..." text), as in
MarcEdit; a literal dollar sign is written {dollar}. Pure code."""

from __future__ import annotations

import re

from pymarc import Field, Indicators, Leader, Record, Subfield

_TAG = re.compile(r"^[0-9A-Za-z]{3}$")


def rows_from_record(record: Record) -> list[dict[str, str]]:
    """Editor rows for a record."""
    rows = []
    for f in record.fields:
        if f.control_field:
            rows.append({"tag": f.tag, "ind1": "", "ind2": "", "value": f.data or ""})
        else:
            text = "".join(f"${s.code}{s.value.replace('$', '{dollar}')}" for s in f.subfields)
            rows.append({"tag": f.tag, "ind1": f.indicator1, "ind2": f.indicator2, "value": text})
    return rows


def record_from_rows(leader: str, rows: list[dict[str, str]]) -> tuple[Record, list[str]]:
    """A record from editor rows, with the structural errors that make it unusable (row numbers
    from 1). Rows with an empty tag and value are ignored."""
    errors: list[str] = []
    leader = leader.replace("\\", " ")
    if len(leader) != 24:
        errors.append(f"LDR: leader must be 24 characters, not {len(leader)}.")
        leader = (leader + " " * 24)[:24]
    fields: list[Field] = []
    for n, row in enumerate(rows, start=1):
        tag, value = row.get("tag", "").strip(), row.get("value", "")
        if not tag and not value.strip():
            continue
        if not _TAG.match(tag):
            errors.append(f"row {n}: tag {tag!r} must be three characters.")
            continue
        if tag < "010" and tag.isdigit():
            fields.append(Field(tag=tag, data=value.replace("\\", " ") if tag == "008" else value))
            continue
        ind1 = (row.get("ind1") or " ").replace("\\", " ")[:1] or " "
        ind2 = (row.get("ind2") or " ").replace("\\", " ")[:1] or " "
        text = value.strip()
        if not text.startswith("$") or len(text) < 2:
            errors.append(f"row {n} ({tag}): data must start with a subfield such as $a.")
            continue
        subfields = []
        for part in text.split("$")[1:]:
            if not part:
                errors.append(f"row {n} ({tag}): '$' without a subfield code.")
                continue
            subfields.append(Subfield(code=part[0], value=part[1:].replace("{dollar}", "$")))
        fields.append(Field(tag=tag, indicators=Indicators(ind1, ind2), subfields=subfields))
    record = Record(fields=fields)  # type: ignore[arg-type]
    record.leader = Leader(leader)
    return record, errors
