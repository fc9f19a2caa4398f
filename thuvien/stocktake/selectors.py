"""The stocktake report: what was expected on the shelves and what the reads found."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.db.models import Q

from thuvien.catalog.models import Item, ItemStatus
from thuvien.stocktake.models import Stocktake

LOST = (ItemStatus.LOST, ItemStatus.MISSING, ItemStatus.CLAIMED_RETURNED)
NOT_ON_SHELF = (ItemStatus.IN_PROCESSING, ItemStatus.DAMAGED, ItemStatus.IN_TRANSIT, ItemStatus.ON_HOLD_SHELF)
CATEGORIES = ("missing", "wrong_place", "wrong_status", "checked_out", "lost_found", "out_of_order", "unknown",
              "withdrawn")
_DDC = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(.*)$")


def call_key(call_number: str) -> tuple[float, str]:
    """Shelf order of a call number: the DDC class as a number, then the rest (author mark) as text."""
    m = _DDC.match(call_number or "")
    if m:
        return float(m.group(1)), m.group(2).casefold()
    return float("inf"), (call_number or "").casefold()


@dataclass
class Row:
    barcode: str
    item: Item | None = None
    note: str = ""


@dataclass
class Report:
    stocktake: Stocktake
    seen: int = 0
    expected: int = 0
    rows: dict[str, list[Row]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})


def _expected(stocktake: Stocktake) -> Q:
    q = Q(library__path__startswith=stocktake.library.path) & ~Q(status=ItemStatus.WITHDRAWN)
    if stocktake.location:
        q &= Q(shelving_location=stocktake.location)
    return q


def _in_range(stocktake: Stocktake, item: Item) -> bool:
    key = call_key(item.call_number)
    return not ((stocktake.call_from and key < call_key(stocktake.call_from))
                or (stocktake.call_to and key > call_key(stocktake.call_to)))


def stocktake_report(*, stocktake: Stocktake) -> Report:
    """Every finding of a stocktake (two queries plus the reads)."""
    report = Report(stocktake=stocktake)
    expected = [i for i in Item.objects.filter(_expected(stocktake)).select_related("record") if _in_range(stocktake, i)]
    report.expected = len(expected)
    reads = list(stocktake.reads.select_related("item__record", "item__library").order_by("seq"))
    report.seen = len(reads)
    seen_ids = {r.item_id for r in reads if r.item_id}
    expected_ids = {i.pk for i in expected}
    previous: tuple[float, str] | None = None
    for read in reads:
        item = read.item
        if item is None:
            report.rows["unknown"].append(Row(read.barcode))
            continue
        if item.status == ItemStatus.WITHDRAWN:
            report.rows["withdrawn"].append(Row(read.barcode, item))
            continue
        if item.pk not in expected_ids:
            report.rows["wrong_place"].append(Row(read.barcode, item, f"{item.library.code} {item.shelving_location}"))
        if read.checked_in or item.status == ItemStatus.ON_LOAN:
            report.rows["checked_out"].append(Row(read.barcode, item, "checked_in" if read.checked_in else ""))
        elif item.status in LOST:
            report.rows["lost_found"].append(Row(read.barcode, item, item.status))
        elif item.status in NOT_ON_SHELF:
            report.rows["wrong_status"].append(Row(read.barcode, item, item.status))
        key = call_key(item.call_number)
        if previous is not None and key < previous and item.pk in expected_ids:
            report.rows["out_of_order"].append(Row(read.barcode, item))
        previous = key
    report.rows["missing"] = [Row(i.barcode, i) for i in expected if i.pk not in seen_ids]
    return report


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["category", "barcode", "call_number", "title", "status", "note"])
    for category in CATEGORIES:
        for row in report.rows[category]:
            item = row.item
            writer.writerow([category, row.barcode, item.call_number if item else "",
                             item.record.title if item else "", item.status if item else "", row.note])
    return out.getvalue()
