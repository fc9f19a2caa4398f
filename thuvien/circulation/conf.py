"""Circulation settings inherited down the organisation tree (registered at app start)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from thuvien.core.models import OrgUnitSetting
from thuvien.core.unit_settings import REGISTRY, register

if TYPE_CHECKING:
    from thuvien.core.models import OrgUnit

register("circ.public_holidays", True, _("Nghỉ các ngày lễ, Tết theo Bộ luật Lao động"))
register("circ.tet_days_before", 1, _("Số ngày nghỉ trước mùng 1 Tết (1 = ngày 30 Tết)"), min=0, max=10)
register("circ.tet_days_after", 5, _("Số ngày nghỉ từ mùng 1 Tết (5 = mùng 1 đến mùng 5)"), min=0, max=15)
register("circ.hold_pickup_days", 7, _("Số ngày giữ tài liệu đặt mượn chờ bạn đọc nhận"), min=1, max=60)
register("circ.max_fines", 50000, _("Khoá mượn khi tiền phạt chưa nộp vượt quá (đồng)"), min=0, max=100_000_000)
register("circ.max_overdue", 3, _("Khoá mượn khi số tài liệu quá hạn đạt (0 = không khoá)"), min=0, max=1000)
register("circ.anonymise_after_days", 30, _("Ẩn danh lịch sử mượn sau số ngày (trừ khi bạn đọc đồng ý lưu)"),
         min=0, max=3650)
register("circ.overdue_notice_every_days", 7, _("Nhắc quá hạn lặp lại sau số ngày"), min=1, max=365)


def settings_many(unit: OrgUnit, keys: list[str]) -> dict[str, Any]:
    """Effective values of several inherited settings at `unit` in one query."""
    rows = OrgUnitSetting.objects.filter(unit_id__in=unit.ancestor_ids, key__in=keys).values_list(
        "unit_id", "key", "value")
    return settings_from_rows(unit, keys, rows)


def settings_from_rows(unit: OrgUnit, keys: list[str], rows: Iterable[tuple[int, str, Any]]) -> dict[str, Any]:
    """Effective values at `unit` from the (unit_id, key, value) overrides on its path to the root."""
    depth = {uid: i for i, uid in enumerate(unit.ancestor_ids)}
    found: dict[str, tuple[int, Any]] = {}
    for unit_id, key, value in rows:
        if key not in found or depth[unit_id] > found[key][0]:
            found[key] = (depth[unit_id], value)
    return {k: (REGISTRY[k].coerce(found[k][1]) if k in found else REGISTRY[k].default) for k in keys}
