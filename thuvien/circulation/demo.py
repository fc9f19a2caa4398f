"""Demo circulation: a policy matrix, closed days, loans (some overdue), fines, holds ready, in transit and waiting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from thuvien.catalog.models import BibRecord, Item, ItemStatus, ItemType
from thuvien.circulation.models import CirculationRule, Hold, Loan
from thuvien.circulation.services import fine_pay, hold_place, loan_checkin, loan_checkout
from thuvien.core.demo import system_user
from thuvien.core.models import OrgUnit, OrgUnitSetting
from thuvien.patrons.models import Patron, PatronCategory
from thuvien.search.outbox import outbox_enqueue

LEADER = "00000nam a2200000 a 4500"
TITLES = ["Dế Mèn phiêu lưu ký", "Số đỏ", "Truyện Kiều", "Tắt đèn", "Nhật ký Đặng Thùy Trâm", "Đất rừng phương Nam",
          "Kỹ thuật trồng cây hồi", "Lịch sử Cao Bằng"]
# (reader card, desk, number of copies, borrowed how many days ago): 14-day rules, so 20+ days is overdue
LOANS = [("CB000001", "CB-TVT", 3, 2), ("CB000002", "CB-TVT", 1, 40), ("CB000004", "CB-HA", 2, 35),
         ("CB000008", "CB-TK", 1, 3), ("CB000005", "CB-HA", 1, 50)]
# (reader card, desk, borrowed days ago): returned today, late, so each leaves an overdue fine;
# the second reader pays theirs at the desk
LATE_RETURNS = [("CB000008", "CB-TK", 30), ("CB000010", "CB-HA", 30)]
# a copy per library needed: loans, late returns, one ready hold at Hòa An, one in transit from the province
NEEDED = {"CB-TVT": 5, "CB-HA": 5, "CB-TK": 2}


def _pools(units: dict[str, OrgUnit]) -> dict[str, list[Item]]:
    """Available loanable copies of each library the plan uses, in barcode order; demo copies are
    added where the catalogue demo (which needs ../shared/data) left a library with too few."""
    book = ItemType.objects.get_or_create(code="book", defaults={"name": "Sách", "name_en": "Book"})[0]
    pools: dict[str, list[Item]] = {}
    made: list[Item] = []
    for code, needed in NEEDED.items():
        if code not in units:
            continue
        pool = list(Item.objects.filter(library=units[code], status=ItemStatus.AVAILABLE, item_type__loanable=True)
                    .exclude(record__is_deleted=True).select_related("record", "library").order_by("barcode")
                    [:needed])
        for n in range(len(pool), needed):
            title = TITLES[n % len(TITLES)]
            record = BibRecord.objects.create(marc={"leader": LEADER, "fields": [{"245": {
                "ind1": "1", "ind2": "0", "subfields": [{"a": title}]}}]}, leader=LEADER, title=title,
                language="vie")
            item = Item(record=record, library=units[code], barcode=f"DEMO-{code}-{n:03}", item_type=book)
            made.append(item)
            pool.append(item)
        pools[code] = pool
    if made:
        Item.objects.bulk_create(made)
        outbox_enqueue({i.record_id for i in made})
    return pools


@transaction.atomic
def load(*, network: OrgUnit, stdout: TextIO) -> None:
    """Policy matrix, Sunday closing at the provincial library, and for the demo readers: loans (some
    overdue), an unpaid and a paid overdue fine, a hold ready at Hòa An, one in transit to Dân Chủ and
    one waiting. The same data on every run (copies taken in barcode order)."""
    if CirculationRule.objects.filter(unit=network).exists():
        return
    actor = system_user()
    units = {u.code: u for u in OrgUnit.objects.filter(path__startswith=network.path)}
    cats = {c.code: c for c in PatronCategory.objects.all()}
    types = {t.code: t for t in ItemType.objects.all()}
    rules = [
        dict(unit=network, loan_days=14, renewals=2, max_loans=5, max_holds=3, fine_per_day=Decimal(1000),
             fine_cap=Decimal(30000), grace_days=1, no_renewal_before=7),
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
    if not {c for c, *_ in LOANS} <= set(readers) or not all(code in units for code in (*NEEDED, "CB-HA-DC")):
        stdout.write("Lưu thông demo: thiếu bạn đọc hoặc thư viện demo; bỏ qua.\n")
        return
    pools = _pools(units)
    now = timezone.now()
    loans = 0
    for card, lib, count, days_ago in LOANS:
        for _ in range(count):
            loan_checkout(actor=actor, item=pools[lib].pop(0), patron=readers[card], desk=units[lib], override=True,
                          now=now - dt.timedelta(days=days_ago))
            loans += 1
    fines = []
    for card, lib, days_ago in LATE_RETURNS:
        item = pools[lib].pop(0)
        loan_checkout(actor=actor, item=item, patron=readers[card], desk=units[lib], override=True,
                      now=now - dt.timedelta(days=days_ago))
        fines.append(loan_checkin(actor=actor, item=item, desk=units[lib], now=now).fine)
    paid = fines[-1]
    if paid is not None:
        fine_pay(actor=actor, patron=readers[LATE_RETURNS[-1][0]], amount=paid.amount, desk=units[LATE_RETURNS[-1][1]])
    # ready: a Hòa An reader asks for a book on Hòa An's shelf; the desk pulls it and checks it in
    copy = pools["CB-HA"].pop(0)
    hold_place(actor=actor, patron=readers["CB000010"], record=copy.record, pickup_library=units["CB-HA"],
               item=copy, now=now)
    loan_checkin(actor=actor, item=copy, desk=units["CB-HA"], now=now)
    # in transit: a reader at the Dân Chủ commune room asks for a copy of the provincial library
    copy = pools["CB-TVT"].pop(0)
    hold_place(actor=actor, patron=readers["CB000006"], record=copy.record, pickup_library=units["CB-HA-DC"],
               item=copy, now=now)
    loan_checkin(actor=actor, item=copy, desk=units["CB-TVT"], now=now)
    # waiting: a reader queues for the very copy that is on loan
    on_loan = Loan.objects.filter(returned_at__isnull=True, library=units["CB-TVT"]).order_by("pk").first()
    if on_loan is not None:
        hold_place(actor=actor, patron=readers["CB000009"], record=on_loan.item.record, item=on_loan.item,
                   pickup_library=units["CB-HA-DC"], now=now)
    holds = Hold.objects.filter(patron__in=readers.values()).count()
    stdout.write(f"Lưu thông demo: {len(rules)} quy định, {loans} lượt mượn (có quá hạn), {holds} đặt mượn "
                 f"(một sẵn sàng, một đang chuyển), {len([f for f in fines if f])} khoản phạt (một đã nộp).\n")
