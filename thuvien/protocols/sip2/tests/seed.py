"""A small library for tests and the benchmark that talk to a real `thuvien sip2_server` process
(own SQLite in THUVIEN_HOME): `python -m thuvien.protocols.sip2.tests.seed ITEMS READERS`.

Library TV01; terminals kiosk1 (UTF-8, PIN), kiosk850 (CP850, CRLF, PIN) and gate1 (no PIN), all with
password `secret`; readers P001 (PIN 1234, portal password PORTAL_PASSWORD, a 50 000 đ fine), R0001... (PIN 1234), P100 with 150 long
loans (a 64 reply over 4 KB); items VN0001...
"""

from __future__ import annotations

import sys

import django

PORTAL_PASSWORD = "Mat-khau-cong-2026"  # noqa: S105 - P001's portal password in the test library


def seed(items: int, readers: int) -> None:
    django.setup()
    from decimal import Decimal

    from thuvien.catalog.models import BibRecord, Item, ItemType
    from thuvien.circulation.models import CirculationRule
    from thuvien.circulation.services import fine_charge, loan_checkout
    from thuvien.core.models import UnitKind, User
    from thuvien.core.services import unit_create
    from thuvien.patrons.tests.fixtures import make_patron
    from thuvien.protocols.sip2.services import terminal_create
    from thuvien.protocols.sip2.tests.fixtures import give_pin

    actor = User.objects.create(username="seed", is_superuser=True)
    root = unit_create(actor=actor, code="CBN", name="Mạng lưới thư viện Cao Bằng",
                       kind=UnitKind.objects.get(code="network"), parent=None)
    lib = unit_create(actor=actor, code="TV01", name="Thư viện tỉnh Cao Bằng",
                      kind=UnitKind.objects.get(code="provincial_library"), parent=root)
    CirculationRule.objects.create(unit=root, loan_days=14, renewals=2, max_loans=200, max_holds=5,
                                   fine_per_day=Decimal(1000), fine_cap=Decimal(20000))
    terminal_create(actor=actor, login="kiosk1", library=lib, password="secret", location="Sảnh chính")
    terminal_create(actor=actor, login="kiosk850", library=lib, password="secret", encoding="cp850", line_end="crlf")
    terminal = terminal_create(actor=actor, login="gate1", library=lib, password="secret",
                               patron_pin_required=False)
    book = ItemType.objects.get_or_create(code="book", defaults={"name": "Sách"})[0]
    record = BibRecord.objects.create(marc={"leader": "00000nam a2200000 a 4500", "fields": []},
                                      leader="00000nam a2200000 a 4500", title="Truyện Kiều")
    long_title = ("Tuyển tập văn học dân gian các dân tộc thiểu số Việt Nam: Tày, Nùng, Dao, Mông, Sán Chỉ, "
                  "Lô Lô ở Cao Bằng")
    long_record = BibRecord.objects.create(marc={"leader": "00000nam a2200000 a 4500", "fields": []},
                                           leader="00000nam a2200000 a 4500", title=long_title)
    Item.objects.bulk_create([Item(record=record, library=lib, barcode=f"VN{n:04d}", item_type=book,
                                   call_number="895.9221 NG-D") for n in range(1, items + 1)])
    Item.objects.bulk_create([Item(record=long_record, library=lib, barcode=f"LONG{n:04d}-ĐỊA-CHÍ-CAO-BẰNG",
                                   item_type=book) for n in range(1, 151)])
    p001 = make_patron("P001", lib, full_name="Nguyễn Thị Lưu")
    give_pin(p001, "1234")
    portal = User(username="reader-P001")  # a portal password too, which kiosks must not accept as the PIN
    portal.set_password(PORTAL_PASSWORD)
    portal.save()
    p001.user = portal
    p001.save(update_fields=["user", "updated_at"])
    fine_charge(actor=actor, patron=p001, amount=Decimal(50000), desk=lib, note="Làm hỏng sách")
    for n in range(1, readers + 1):
        reader = make_patron(f"R{n:04d}", lib, full_name=f"Bạn đọc Đặng Văn {n}")
        give_pin(reader, "1234")
    # P001 borrowed RENEW01 13 days ago (due tomorrow), so a renewal from the kiosk moves the due date
    import datetime as dt

    from django.utils import timezone

    renew_item = Item.objects.create(record=record, library=lib, barcode="RENEW01", item_type=book)
    loan_checkout(actor=terminal.account, item=renew_item, patron=p001, desk=lib,
                  now=timezone.now() - dt.timedelta(days=13))
    p100 = make_patron("P100", lib, full_name="Hoàng Văn Đồng")
    for item in Item.objects.filter(barcode__startswith="LONG"):
        loan_checkout(actor=terminal.account, item=item, patron=p100, desk=lib)
    print("seeded", Item.objects.count())


if __name__ == "__main__":
    seed(int(sys.argv[1]), int(sys.argv[2]))
