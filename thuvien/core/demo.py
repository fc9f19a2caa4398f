"""The demo network, shaped like Cao Bằng's in its provincial plan: one provincial library, nine
district libraries, commune reading rooms, border-post bookshelves, post-office culture points and
a mobile library van, plus one staff login per role."""

from __future__ import annotations

from typing import Any

from thuvien.core.models import OrgUnit, Role, UnitKind, User
from thuvien.core.services import role_grant, staff_create, unit_create

DEMO_PASSWORD = "thuvien2026"  # noqa: S105 - printed for the demo, never used in production

DISTRICTS = [
    ("CB-BLAM", "Thư viện huyện Bảo Lâm"),
    ("CB-BLAC", "Thư viện huyện Bảo Lạc"),
    ("CB-HQ", "Thư viện huyện Hà Quảng"),
    ("CB-TK", "Thư viện huyện Trùng Khánh"),
    ("CB-HL", "Thư viện huyện Hạ Lang"),
    ("CB-QH", "Thư viện huyện Quảng Hòa"),
    ("CB-HA", "Thư viện huyện Hòa An"),
    ("CB-NB", "Thư viện huyện Nguyên Bình"),
    ("CB-TA", "Thư viện huyện Thạch An"),
]
POINTS = [
    # code, name, kind, parent code
    ("CB-HA-DC", "Phòng đọc xã Dân Chủ", "commune_reading_room", "CB-HA"),
    ("CB-HA-NT", "Phòng đọc xã Nam Tuấn", "commune_reading_room", "CB-HA"),
    ("CB-TK-DN", "Phòng đọc thị trấn Trùng Khánh", "commune_reading_room", "CB-TK"),
    ("CB-BP-TL", "Tủ sách Đồn Biên phòng Trà Lĩnh", "border_post_bookshelf", "CB-HQ"),
    ("CB-BP-SG", "Tủ sách Đồn Biên phòng Sóc Giang", "border_post_bookshelf", "CB-HQ"),
    ("CB-BD-LX", "Điểm Bưu điện văn hóa xã Lý Quốc", "post_office_point", "CB-HL"),
    ("CB-BD-CT", "Điểm Bưu điện văn hóa xã Cô Ba", "post_office_point", "CB-BLAC"),
    ("CB-XE", "Xe thư viện lưu động tỉnh Cao Bằng", "mobile_library", "CB-TVT"),
]
STAFF = [
    # username, display name, unit code, roles
    ("quantri", "Nông Văn Quản", "CB", [Role.NETWORK_ADMIN]),
    ("quanly", "Hoàng Thị Lý", "CB-TVT", [Role.LIBRARY_MANAGER]),
    ("bienmuc", "Lục Văn Mục", "CB-TVT", [Role.CATALOGUER]),
    ("luuthong", "Bế Thị Thông", "CB-TVT", [Role.CIRCULATION]),
    ("sohoa", "Đàm Văn Số", "CB-TVT", [Role.DIGITISATION]),
    ("baocao", "Lương Thị Cáo", "CB", [Role.REPORT_VIEWER]),
    ("hoaan", "Nguyễn Thị Hòa (TV huyện Hòa An)", "CB-HA", [Role.LIBRARY_MANAGER, Role.CATALOGUER, Role.CIRCULATION]),
]


def system_user() -> User:
    """The account that automated jobs and the demo act as (it cannot log in)."""
    user, created = User.objects.get_or_create(username="system", defaults={"is_superuser": True,
                                                                            "display_name": "Hệ thống"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def network_exists() -> bool:
    return OrgUnit.objects.filter(code="CB").exists()


def load(*, stdout: Any) -> OrgUnit:
    """Create the demo network and staff (idempotent: returns the existing root when present)."""
    existing = OrgUnit.objects.filter(code="CB").first()
    if existing:
        return existing
    system = system_user()
    kinds = {k.code: k for k in UnitKind.objects.all()}
    root = unit_create(actor=system, code="CB", name="Mạng lưới thư viện tỉnh Cao Bằng", kind=kinds["network"],
                       parent=None, address="Sở Văn hóa, Thể thao và Du lịch tỉnh Cao Bằng")
    units = {"CB": root}
    units["CB-TVT"] = unit_create(
        actor=system, code="CB-TVT", name="Thư viện tỉnh Cao Bằng", short_name="TV tỉnh",
        kind=kinds["provincial_library"], parent=root,
        address="Số 028 Vườn Cam, phường Hợp Giang, Cao Bằng", phone="0206 3852 375",
        opening_hours="Thứ Hai - Thứ Sáu 7:30-11:30, 13:30-17:00; Thứ Bảy, Chủ nhật 7:30-11:30",
    )
    for code, name in DISTRICTS:
        units[code] = unit_create(actor=system, code=code, name=name, kind=kinds["district_library"], parent=root,
                                  opening_hours="Thứ Hai - Thứ Sáu 7:30-11:30, 13:30-17:00")
    for code, name, kind, parent in POINTS:
        units[code] = unit_create(actor=system, code=code, name=name, kind=kinds[kind], parent=units[parent])
    for username, display, unit_code, roles in STAFF:
        user = staff_create(actor=system, username=username, password=DEMO_PASSWORD, home_unit=units[unit_code],
                            display_name=display)
        for role in roles:
            role_grant(actor=system, user=user, unit=units[unit_code], role=role)
    stdout.write(f"Mạng lưới demo: {OrgUnit.objects.count()} đơn vị, {len(STAFF)} tài khoản cán bộ.\n")
    return root


def logins() -> list[tuple[str, str, str]]:
    """(username, roles, unit) of every demo staff login."""
    return [(u, ", ".join(str(Role(r).label) for r in roles), code) for u, _, code, roles in STAFF]
