"""The MARC import engine: stores batches of parsed records with bulk inserts (records,
identifiers, items from 852/952, the search outbox and an audit entry) inside the caller's
transaction. Services and the import job runner call it; nothing else should."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pymarc import Record

from thuvien.catalog.bulk import RawJSON, insert_rows
from thuvien.catalog.extract import extract, extract_authority, is_authority
from thuvien.catalog.marc.marcjson import from_json, to_json
from thuvien.catalog.models import AuthorityRecord, BibIdentifier, BibRecord, Item, ItemStatus, ItemType
from thuvien.core.audit import audit
from thuvien.core.models import OrgUnit
from thuvien.core.permissions import Perm, has_perm, require_perm
from thuvien.search.outbox import outbox_enqueue

if TYPE_CHECKING:
    from thuvien.core.models import User

MATCHES = ("001", "035", "isbn", "none")
ON_MATCH = ("skip", "overlay", "merge")
_PRICE = re.compile(r"[0-9][0-9.,]*")


@dataclass
class ImportOutcome:
    """What happened to one record: action is "imported", "updated" or "skipped"."""

    action: str
    bib: BibRecord | None = None  # set by marc_import_record; batch imports only carry bib_id
    authority: AuthorityRecord | None = None
    bib_id: int | None = None
    items: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class Prepared:
    """A record reduced to what storing it needs (picklable, so worker processes can prepare
    records in parallel): extracted values, MARC-in-JSON (and its JSON text), identifiers,
    852/952 holdings as {code: first value}."""

    authority: bool
    values: dict[str, Any]
    marc: dict[str, Any]
    marc_text: RawJSON | None = None
    ids: list[tuple[str, str]] = field(default_factory=list)
    holdings: list[tuple[str, dict[str, str]]] = field(default_factory=list)


def prepare(record: Record, *, serialise: bool = False) -> Prepared:
    """Everything CPU-bound about storing a record, done without the database."""
    marc = to_json(record)
    text = RawJSON(json.dumps(marc, ensure_ascii=False, separators=(",", ":"))) if serialise else None
    if is_authority(record):
        return Prepared(authority=True, values=extract_authority(record), marc=marc, marc_text=text)
    values = extract(record)
    holdings = []
    for f in record.get_fields("852", "952"):
        subs: dict[str, str] = {}
        for sub in f.subfields:
            subs.setdefault(sub.code, sub.value)
        holdings.append((f.tag, subs))
    return Prepared(authority=False, values=values, marc=marc, marc_text=text, ids=identifiers(record, values),
                    holdings=holdings)


def match_keys(p: Prepared, match: str) -> list[tuple[str, str]]:
    """The (kind, value) keys a record is matched on."""
    values = p.values
    if match == "001":
        return [("001", f"{values['control_number']}\x1f{values['control_number_source']}")] \
            if values["control_number"] else []
    if match == "035":
        return [("035", v) for kind, v in p.ids if kind == "035"]
    if match == "isbn":
        return [("isbn", v) for v in values["isbns"]]
    return []


def identifiers(record: Record, values: dict[str, Any]) -> list[tuple[str, str]]:
    out = [("isbn", v) for v in values["isbns"]] + [("issn", v) for v in values["issns"]]
    for f in record.get_fields("035"):
        for v in f.get_subfields("a"):
            if v.strip():
                out.append(("035", v.strip()[:128]))
    return out


def merge_records(existing: Record, incoming: Record) -> Record:
    """`existing` plus every variable field of `incoming` it does not already have."""
    have = {str(f) for f in existing.fields}
    merged = Record(fields=list(existing.fields))  # type: ignore[arg-type]
    merged.leader = existing.leader
    for f in incoming.fields:
        if not f.control_field and str(f) not in have:
            merged.fields.append(f)
    return merged


class Importer:
    """Stores records for one actor into one library (items may go to units below it)."""

    def __init__(self, *, actor: User, library: OrgUnit, match: str = "001", on_match: str = "skip",
                 provenance: str = "") -> None:
        if match not in MATCHES:
            raise ValueError(f"match must be one of {MATCHES}")
        if on_match not in ON_MATCH:
            raise ValueError(f"on_match must be one of {ON_MATCH}")
        require_perm(actor, Perm.CATALOG_EDIT, library)
        self.actor, self.library, self.match, self.on_match = actor, library, match, on_match
        self.provenance = provenance[:255]
        self._units: dict[str, OrgUnit] | None = None
        self._types: dict[str, ItemType] | None = None

    # --- lookups, loaded once per importer -------------------------------------------------
    @property
    def units(self) -> dict[str, OrgUnit]:
        if self._units is None:
            self._units = {u.code.upper(): u for u in OrgUnit.objects.filter(path__startswith=self.library.path)
                           .select_related("kind")}
        return self._units

    @property
    def item_types(self) -> dict[str, ItemType]:
        if self._types is None:
            self._types = {t.code.lower(): t for t in ItemType.objects.all()}
        return self._types

    # --- the batch -------------------------------------------------------------------------
    def store(self, records: list[Record]) -> list[ImportOutcome]:
        """Store records (call inside transaction.atomic); one outcome per record, in order."""
        return self.store_prepared([prepare(r) for r in records])

    def store_prepared(self, records: list[Prepared]) -> list[ImportOutcome]:
        """Store prepared records (call inside transaction.atomic); one outcome per record, in order."""
        outcomes: list[ImportOutcome | None] = [None] * len(records)
        auth_idx = [i for i, r in enumerate(records) if r.authority]
        if auth_idx:
            for i, outcome in zip(auth_idx, self._store_authorities([records[i] for i in auth_idx]), strict=True):
                outcomes[i] = outcome
        bib_idx = [i for i, r in enumerate(records) if not r.authority]
        # Split where a key repeats inside the batch, so a later duplicate sees the earlier record.
        start = 0
        while start < len(bib_idx):
            seen: set[tuple[str, str]] = set()
            chunk: list[tuple[int, Prepared, list[tuple[str, str]]]] = []
            for pos in range(start, len(bib_idx)):
                i = bib_idx[pos]
                keys = match_keys(records[i], self.match)
                if seen.intersection(keys):
                    break
                seen.update(keys)
                chunk.append((i, records[i], keys))
            for (i, *_rest), outcome in zip(chunk, self._store_bibs(chunk), strict=True):
                outcomes[i] = outcome
            start += len(chunk)
        return [o for o in outcomes if o is not None]

    def _find(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        found: dict[tuple[str, str], int] = {}
        if not keys:
            return found
        if self.match == "001":
            numbers = {k[1].split("\x1f")[0] for k in keys}
            for pk, num, src in BibRecord.objects.filter(control_number__in=numbers, is_deleted=False).order_by(
                    "pk").values_list("pk", "control_number", "control_number_source"):
                found.setdefault(("001", f"{num}\x1f{src}"), pk)
        else:
            kind = "035" if self.match == "035" else "isbn"
            for pk, value in BibIdentifier.objects.filter(kind=kind, value__in={k[1] for k in keys},
                                                          record__is_deleted=False).order_by("record_id").values_list(
                    "record_id", "value"):
                found.setdefault((kind, value), pk)
        return {k: v for k, v in found.items() if k in keys}

    def _store_bibs(self, chunk: list[tuple[int, Prepared, list[tuple[str, str]]]]) -> list[ImportOutcome]:
        all_keys = {k for _i, _p, keys in chunk for k in keys}
        existing = self._find(all_keys)
        outcomes: list[ImportOutcome] = []
        new: list[tuple[dict[str, Any], Prepared, ImportOutcome]] = []
        touched: list[tuple[BibRecord, Prepared, ImportOutcome]] = []
        matched = set(existing.values())
        current = BibRecord.objects.in_bulk(list(matched)) if matched and self.on_match != "skip" else {}
        for _i, p, keys in chunk:
            hit = next((existing[k] for k in keys if k in existing), None)
            if hit is not None:
                if self.on_match == "skip":
                    outcomes.append(ImportOutcome(action="skipped", bib_id=hit))
                    continue
                bib = current[hit]
                if self.on_match == "merge":
                    p = prepare(merge_records(from_json(bib.marc), from_json(p.marc)))
                for name, value in p.values.items():
                    setattr(bib, name, value)
                bib.marc = p.marc
                if self.provenance:
                    bib.provenance = self.provenance
                outcome = ImportOutcome(action="updated", bib_id=hit)
                touched.append((bib, p, outcome))
            else:
                row = {**p.values, "uuid": uuid.uuid4(), "marc": p.marc_text if p.marc_text is not None else p.marc,
                       "owner_id": self.library.pk, "created_by_id": self.actor.pk, "provenance": self.provenance}
                outcome = ImportOutcome(action="imported")
                new.append((row, p, outcome))
            outcomes.append(outcome)
        if new:
            insert_rows(BibRecord, (row for row, _p, _o in new))
            by_uuid = {row["uuid"]: outcome for row, _p, outcome in new}
            uuids = list(by_uuid)
            for start in range(0, len(uuids), 500):
                for uid, pk in BibRecord.objects.filter(uuid__in=uuids[start:start + 500]).values_list("uuid", "pk"):
                    by_uuid[uid].bib_id = pk
        for bib, _p, _o in touched:
            bib.save()
        if touched:
            BibIdentifier.objects.filter(record__in=[t[0] for t in touched]).delete()
        stored: list[tuple[int, Prepared, ImportOutcome]] = [
            (int(o.bib_id or 0), p, o) for _x, p, o in [*new, *touched]]
        insert_rows(BibIdentifier, ({"record_id": pk, "kind": kind, "value": value}
                                    for pk, p, _o in stored for kind, value in p.ids))
        self._items(stored)
        outbox_enqueue(pk for pk, _p, _o in stored)
        return outcomes

    # --- items from 852/952 ----------------------------------------------------------------
    def _items(self, stored: list[tuple[int, Prepared, ImportOutcome]]) -> None:
        wanted: list[tuple[int, tuple[str, dict[str, str]], ImportOutcome, dict[str, Any]]] = []
        for pk, p, outcome in stored:
            for holding in p.holdings:
                wanted.append((pk, holding, outcome, p.values))
        if not wanted:
            return
        barcodes = {(h[1].get("p") or "").strip() for _b, h, _o, _v in wanted}
        taken = set(Item.objects.filter(barcode__in=barcodes).values_list("barcode", flat=True))
        items: list[dict[str, Any]] = []
        for bib, f, outcome, values in wanted:
            item = self._item_from_field(bib, f, values, outcome.warnings, taken)
            if item is not None:
                taken.add(item["barcode"])
                items.append(item)
                outcome.items += 1
        insert_rows(Item, items)

    def _item_from_field(self, record_id: int, holding: tuple[str, dict[str, str]], values: dict[str, Any],
                         warnings: list[str], taken: set[str]) -> dict[str, Any] | None:
        tag, subs = holding

        def sub(code: str) -> str:
            return (subs.get(code) or "").strip()
        barcode = sub("p")[:64]
        if not barcode:
            warnings.append(f"{tag}: no barcode ($p); no item created")
            return None
        if barcode in taken:
            warnings.append(f"{tag}: barcode {barcode} already exists; no item created")
            return None
        code = (sub("b") if tag == "852" else (sub("a") or sub("b"))).upper()
        unit = self.units.get(code) if code else self.library
        if unit is None:
            warnings.append(f"{tag}: library code {code!r} is not {self.library.code} or below it; item put in "
                            f"{self.library.code}")
            unit = self.library
        if not unit.kind.holds_items:
            warnings.append(f"{tag}: {unit.code} does not hold items; item {barcode} not created")
            return None
        if unit.pk != self.library.pk and not has_perm(self.actor, Perm.CATALOG_EDIT, unit):
            warnings.append(f"{tag}: no permission to add items at {unit.code}; item {barcode} not created")
            return None
        if tag == "952":
            call = sub("o")
            location, type_code = sub("c"), sub("y").lower()
            price_text, date_text, source = sub("g") or sub("v"), sub("d"), sub("e")
            notes = "; ".join(v for v in (sub("z"), sub("x")) if v)
        else:
            call = " ".join(v for v in (sub("h"), sub("i")) if v)
            location, type_code = sub("c"), ""
            price_text, date_text, source = sub("9"), "", ""
            notes = "; ".join(v for v in (sub("z"), sub("x")) if v)
        item_type = self.item_types.get(type_code) or self.item_types.get(self._default_type(values))
        if item_type is None:
            raise LookupError("item types are missing; run the catalog migrations")
        return {"uuid": uuid.uuid4(), "record_id": record_id, "library_id": unit.pk, "barcode": barcode,
                "call_number": (call or values["call_number"])[:128], "shelving_location": location[:128],
                "item_type_id": item_type.pk, "status": ItemStatus.AVAILABLE,
                "price": self._price(price_text, warnings), "acquired_on": self._date(date_text),
                "acquisition_source": source[:255], "notes": notes, "rfid_tag": None}

    @staticmethod
    def _default_type(values: dict[str, Any]) -> str:
        kind = values["material_type"]
        if kind == "serial":
            return "periodical"
        if kind in ("video", "music", "audiobook"):
            return "audiovisual"
        return "book"

    @staticmethod
    def _price(text: str, warnings: list[str]) -> decimal.Decimal | None:
        match = _PRICE.search(text or "")
        if not match:
            return None
        digits = match.group().replace(",", "").replace(".", "") if text.count(".") > 1 or "," in text \
            else match.group().split(".")[0]
        try:
            value = decimal.Decimal(digits)
        except decimal.InvalidOperation:
            warnings.append(f"price {text!r} not understood")
            return None
        return value if value < 10**12 else None

    @staticmethod
    def _date(text: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(text[:10]) if text else None
        except ValueError:
            return None

    # --- authorities -----------------------------------------------------------------------
    def _store_authorities(self, records: list[Prepared]) -> list[ImportOutcome]:
        rows = [(p, p.values) for p in records]
        numbers = {v["control_number"] for _r, v in rows if v["control_number"]}
        existing = {(a.control_number, a.control_number_source): a
                    for a in AuthorityRecord.objects.filter(control_number__in=numbers, is_deleted=False)}
        outcomes: list[ImportOutcome] = []
        new: list[AuthorityRecord] = []
        for prepared, values in rows:
            key = (values["control_number"], values["control_number_source"])
            found = existing.get(key) if values["control_number"] and self.match != "none" else None
            if found is not None and self.on_match == "skip":
                outcomes.append(ImportOutcome(action="skipped", authority=found))
                continue
            if found is not None:
                for name, value in values.items():
                    setattr(found, name, value)
                found.marc = prepared.marc
                found.save()
                outcomes.append(ImportOutcome(action="updated", authority=found))
                continue
            auth = AuthorityRecord(marc=prepared.marc, **values)
            if values["control_number"]:
                existing[key] = auth
            new.append(auth)
            outcomes.append(ImportOutcome(action="imported", authority=auth))
        AuthorityRecord.objects.bulk_create(new, batch_size=500)
        return outcomes

    def audit_batch(self, outcomes: list[ImportOutcome], *, source: str) -> None:
        """One audit entry for a batch: which records were created and updated, from where."""
        created = [o.bib_id for o in outcomes if o.bib_id is not None and o.action == "imported"]
        updated = [o.bib_id for o in outcomes if o.bib_id is not None and o.action == "updated"]
        auths = [o.authority.pk for o in outcomes if o.authority is not None and o.action != "skipped"]
        if created or updated or auths:
            audit(actor=self.actor, action="catalog.import", unit=self.library, object_type="catalog.bibrecord",
                  object_repr=source[:500], changes={"created": created, "updated": updated, "authorities": auths,
                                                     "items": sum(o.items for o in outcomes)})

