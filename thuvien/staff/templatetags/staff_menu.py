"""The staff menu, filtered by what the logged-in person's roles allow (the desk user does not see
"Cán bộ" / "Tạo tài khoản", a cataloguer does not see the circulation desk)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from thuvien.core.permissions import Perm, has_perm_somewhere

register = template.Library()

# (url name, label, permission needed somewhere in the tree or None for every staff member, and a permission
# that hides the entry: the read-only catalogue for those who do not catalogue). Other apps add one line here
# with their permission (reports, digital...).
MENU: list[tuple[str, Any, Perm | None, Perm | None]] = [
    ("staff:tree", _("Mạng lưới"), None, None),
    ("staff:catalog:home", _("Biên mục"), Perm.CATALOG_EDIT, None),
    ("staff:catalog:home", _("Mục lục"), None, Perm.CATALOG_EDIT),
    ("staff:circ:home", _("Lưu thông"), Perm.CIRC_DESK, None),
    ("staff:interop:home", _("Liên thông"), Perm.CATALOG_EDIT, None),
    ("staff:digital:home", _("Thư viện số"), Perm.DIGITAL_EDIT, None),
    ("staff:digitisation:home", _("Số hoá"), Perm.DIGITAL_EDIT, None),
    ("staff:reports:home", _("Báo cáo"), Perm.REPORT_VIEW, None),
    ("staff:stocktake:home", _("Kiểm kê"), Perm.CIRC_DESK, None),
    ("staff:online:home", _("Dịch vụ trực tuyến"), Perm.CIRC_DESK, None),
    ("staff:labels:home", _("In nhãn"), Perm.CATALOG_EDIT, None),
    ("portal:staff_home", _("Cổng thông tin"), Perm.ORG_EDIT, None),
    ("staff:devices:home", _("Thiết bị"), Perm.STAFF_MANAGE, None),
    ("staff:staff_list", _("Cán bộ"), Perm.STAFF_MANAGE, None),
    ("staff:audit", _("Nhật ký"), Perm.AUDIT_VIEW, None),
    ("staff:privacy:requests", _("Dữ liệu cá nhân"), Perm.AUDIT_VIEW, None),
    ("staff:schedule", _("Việc định kỳ"), Perm.ORG_RESTRUCTURE, None),
]


@register.simple_tag(takes_context=True)
def staff_menu(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The menu entries this user may use, with the current one marked."""
    request = context.get("request")
    user = getattr(request, "user", None)
    current = getattr(request, "path", "")
    entries = []
    for name, label, perm, unless in MENU:
        if perm is not None and not has_perm_somewhere(user, perm):  # type: ignore[arg-type]
            continue
        if unless is not None and has_perm_somewhere(user, unless):  # type: ignore[arg-type]
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        entries.append({"url": url, "label": label, "current": url != "/staff/" and current.startswith(url)})
    return entries


@register.simple_tag(takes_context=True)
def may(context: dict[str, Any], perm: str) -> bool:
    """{% may "catalog.edit" as can_edit %}: whether the user holds `perm` somewhere (to hide links)."""
    request = context.get("request")
    return has_perm_somewhere(getattr(request, "user", None), Perm(perm))  # type: ignore[arg-type]
