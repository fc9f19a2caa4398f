"""Demo readers: every category, at several libraries of the demo network, with Vietnamese names."""

from __future__ import annotations

import datetime as dt
from typing import TextIO

from django.utils import timezone

from thuvien.core.demo import DEMO_PASSWORD, system_user
from thuvien.core.models import OrgUnit
from thuvien.patrons.models import Patron, PatronCategory
from thuvien.patrons.services import patron_create, patron_set_pin

DEMO_CARD = "CB000001"
DEMO_PIN = "2468"  # the demo reader's self-check PIN (SIP2 kiosks, the kiosk API)
READERS = [
    # card, name, birth year, gender, ethnicity, category, library, extra consents
    (DEMO_CARD, "Nông Thị Hương", 1992, "f", "Tày", "adult", "CB-TVT", ["reading_history", "notices_email"]),
    ("CB000002", "Bế Văn Quân", 1988, "m", "Tày", "agency_staff", "CB-TVT", ["notices_email"]),
    ("CB000003", "Hoàng Minh Khôi", 2016, "m", "Nùng", "child", "CB-TVT", []),
    ("CB000004", "Lục Thị Ngọc", 2009, "f", "Nùng", "pupil", "CB-HA", []),
    ("CB000005", "Đàm Quang Huy", 2005, "m", "Kinh", "student", "CB-HA", ["notices_sms"]),
    ("CB000006", "Triệu Thị Mai", 1950, "f", "Dao", "elderly", "CB-HA-DC", []),
    ("CB000007", "La Văn Sơn", 1979, "m", "Tày", "disabled", "CB-TK", []),
    ("CB000008", "Nguyễn Thị Lan", 1985, "f", "Kinh", "adult", "CB-TK", ["notices_email"]),
    ("CB000009", "Lý Văn Páo", 1990, "m", "H'Mông", "adult", "CB-HA-DC", []),
    ("CB000010", "Sầm Thị Nhung", 2013, "f", "Tày", "child", "CB-HA", []),
]


def load(*, network: OrgUnit, stdout: TextIO) -> None:
    """Create the demo readers (skipped when they exist) and print the demo reader login."""
    if Patron.objects.filter(card_number=DEMO_CARD).exists():
        return
    actor = system_user()
    units = {u.code: u for u in OrgUnit.objects.filter(path__startswith=network.path)}
    cats = {c.code: c for c in PatronCategory.objects.all()}
    today = timezone.localdate()
    for card, name, year, gender, ethnicity, cat, lib, extra in READERS:
        if lib not in units:
            continue
        young = today.year - year < 16
        slug = card[-2:]
        patron_create(
            actor=actor, home_library=units[lib], consents=["service", *extra], confirm_duplicates=True,
            guardian_name="Hoàng Văn Thắng" if young else "", child_agreed=young,
            password=DEMO_PASSWORD if card == DEMO_CARD else None,
            data={"card_number": card, "full_name": name, "birth_date": dt.date(year, 3, 15), "gender": gender,
                  "ethnicity": ethnicity, "category": cats[cat], "phone": f"09120000{slug}",
                  "email": f"bandoc{slug}@example.vn", "address": f"{units[lib].name}, Cao Bằng"},
        )
    demo_reader = Patron.objects.filter(card_number=DEMO_CARD).first()
    if demo_reader is not None:
        patron_set_pin(actor=actor, patron=demo_reader, pin=DEMO_PIN)
    stdout.write(f"Bạn đọc demo: {len(READERS)}. Đăng nhập cổng bạn đọc: thẻ {DEMO_CARD} "
                 f"(hoặc bandoc01@example.vn), mật khẩu {DEMO_PASSWORD}\n")


def login_lines() -> list[str]:
    """What `thuvien serve` prints for the demo reader's portal login."""
    return [f"Bạn đọc (cổng thông tin /account/): thẻ {DEMO_CARD} hoặc bandoc01@example.vn, mật khẩu {DEMO_PASSWORD}"]
