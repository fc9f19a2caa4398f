"""Demo circulation: a policy matrix, closed days, loans (some overdue), holds waiting and in transit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from thuvien.catalog.models import BibRecord, Item, ItemStatus, ItemType
from thuvien.circulation.models import CirculationRule, Loan
from thuvien.circulation.services import hold_place, loan_checkin, loan_checkout
from thuvien.core.demo import system_user
from thuvien.core.models import OrgUnit, OrgUnitSetting
from thuvien.patrons.models import Patron, PatronCategory
from thuvien.search.outbox import outbox_enqueue

LEADER = "00000nam a2200000 a 4500"
TITLES = ["Dế Mèn phiêu lưu ký", "Số đỏ", "Truyện Kiều", "Tắt đèn", "Nhật ký Đặng Thùy Trâm", "Đất rừng phương Nam",
          "Kỹ thuật trồng cây hồi", "Lịch sử Cao Bằng"]


def _items(units: dict[str, OrgUnit]) -> list[Item]:
    """Available items in the demo libraries; a few are created when the catalogue demo made none."""
    items = list(Item.objects.filter(status=ItemStatus.AVAILABLE, library__code__in=list(units),
                                     item_type__loanable=True).select_related("record", "library")[:40])
    if len(items) >= 16:
        return items
    book = ItemType.objects.get_or_create(code="book", defaults={"name": "Sách", "name_en": "Book"})[0]
    made = []
    for n, title in enumerate(TITLES):
        record = BibRecord.objects.create(marc={"leader": LEADER, "fields": [{"245": {
            "ind1": "1", "ind2": "0", "subfields": [{"a": title}]}}]}, leader=LEADER, title=title, language="vie")
        for code in ("CB-TVT", "CB-HA", "CB-TK"):
            if code in units:
                made.append(Item(record=record, library=units[code], barcode=f"DEMO-{code}-{n:03}", item_type=book))
    Item.objects.bulk_create(made)
    outbox_enqueue({i.record_id for i in made})
    return list(Item.objects.filter(pk__in=[i.pk for i in made] + [i.pk for i in items]).select_related("record",
                                                                                                       "library"))


@transaction.atomic
def load(*, network: OrgUnit, stdout: TextIO) -> None:
    """Policy matrix, Sunday closing at the provincial library, and loans and holds for the demo readers."""
    if CirculationRule.objects.filter(unit=network).exists():
        return
    actor = system_user()
    units = {u.code: u for u in OrgUnit.objects.filter(path__startswith=network.path)}
    cats = {c.code: c for c in PatronCategory.objects.all()}
    types = {t.code: t for t in ItemType.objects.all()}
    rules = [
        dict(unit=network, loan_days=14, renewals=2, max_loans=5, max_holds=3, fine_per_day=Decimal(1000),
             fine_cap=Decimal(30000), grace_days=1),
        dict(unit=network, patron_category=cats["child"], loan_days=7, renewals=1, max_loans=3, max_holds=2,
             fine_per_day=Decimal(500), fine_cap=Decimal(10000), grace_days=2),
        dict(unit=network, patron_category=cats["elderly"], loan_days=21, renewals=3, max_loans=5, max_holds=3,
             fine_per_day=Decimal(0), fine_cap=Decimal(0)),
        dict(unit=network, patron_category=cats["disabled"], loan_days=30, renewals=3, max_loans=5, max_holds=3,
             fine_per_day=Decimal(0), fine_cap=Decimal(0)),
    ]
    if "periodical" in types:
        rules.append(dict(unit=network, item_type=types["periodical"], loan_days=7, renewals=0, max_loans=5,
                          max_holds=0, fine_per_day=Decimal(1000), fine_cap=Decimal(10000)))
    if "CB-HA" in units:
        rules.append(dict(unit=units["CB-HA"], loan_days=21, renewals=2, max_loans=6, max_holds=3,
                          fine_per_day=Decimal(500), fine_cap=Decimal(15000), grace_days=3))
    if "CB-XE" in units:
        rules.append(dict(unit=units["CB-XE"], loan_days=30, renewals=1, max_loans=5, max_holds=0,
                          fine_per_day=Decimal(0), fine_cap=Decimal(0)))
    CirculationRule.objects.bulk_create([CirculationRule(**r) for r in rules])
    if "CB-TVT" in units:
        OrgUnitSetting.objects.get_or_create(unit=units["CB-TVT"], key="circ.closed_weekdays", defaults={"value": [6]})
    readers = {p.card_number: p for p in Patron.objects.filter(home_library__path__startswith=network.path)}
    items = _items(units)
    if not readers or len(items) < 8:
        stdout.write("Lưu thông demo: thiếu bạn đọc hoặc tài liệu; bỏ qua.\n")
        return
    now = timezone.now()
    by_lib: dict[str, list[Item]] = {}
    for item in items:
        by_lib.setdefault(item.library.code, []).append(item)
    loans = 0
    plan = [("CB000001", "CB-TVT", 3, 0), ("CB000002", "CB-TVT", 1, 40), ("CB000004", "CB-HA", 2, 35),
            ("CB000008", "CB-TK", 1, 0), ("CB000005", "CB-HA", 1, 50)]
    for card, lib, count, days_ago in plan:
        if card not in readers or lib not in units:
            continue
        for _ in range(count):
            pool = by_lib.get(lib) or []
            if not pool:
                break
            item = pool.pop()
            loan_checkout(actor=actor, item=item, patron=readers[card], desk=units[lib], override=True,
                          now=now - dt.timedelta(days=days_ago))
            loans += 1
    holds = 0
    # a reader at the commune room asks for a book from the provincial library: targeted, then sent in transit
    if "CB000006" in readers and "CB-HA-DC" in units and by_lib.get("CB-TVT"):
        item = by_lib["CB-TVT"].pop()
        hold = hold_place(actor=actor, patron=readers["CB000006"], record=item.record,
                          pickup_library=units["CB-HA-DC"])
        if hold.target_item is not None:  # pulled from the shelf and checked in: now in transit
            loan_checkin(actor=actor, item=hold.target_item, desk=hold.target_item.library)
        holds += 1
    # a reader waits for a book that is on loan
    on_loan = Loan.objects.filter(returned_at__isnull=True).select_related("item__record").first()
    if on_loan and "CB000009" in readers and "CB-HA-DC" in units:
        hold_place(actor=actor, patron=readers["CB000009"], record=on_loan.item.record,
                   pickup_library=units["CB-HA-DC"])
        holds += 1
    stdout.write(f"Lưu thông demo: {len(rules)} quy định, {loans} lượt mượn (có quá hạn), {holds} đặt mượn "
                 f"(có tài liệu đang chuyển).\n")
