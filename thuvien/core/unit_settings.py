"""Settings that inherit down the organisation tree unless a unit overrides them (Evergreen-style)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from thuvien.core.models import OrgUnitSetting

if TYPE_CHECKING:
    from thuvien.core.models import OrgUnit


@dataclass(frozen=True)
class SettingDef:
    key: str
    default: Any
    label: str | Promise
    help: str | Promise = ""


REGISTRY: dict[str, SettingDef] = {}


def register(key: str, default: Any, label: str | Promise, help: str | Promise = "") -> SettingDef:
    """Declare a setting once (at import time of the app that owns it)."""
    definition = SettingDef(key, default, label, help)
    REGISTRY[key] = definition
    return definition


register("opac.visible", True, _("Hiển thị trên cổng tra cứu"))
register("circ.closed_weekdays", [], _("Ngày nghỉ trong tuần (0 = thứ Hai ... 6 = Chủ nhật)"))
register("circ.closed_dates", [], _("Ngày nghỉ riêng (YYYY-MM-DD)"))
register("circ.open_dates", [], _("Ngày vẫn mở cửa dù là ngày nghỉ, ví dụ ngày làm bù (YYYY-MM-DD)"))
register("patron.card_validity_days", 365, _("Thời hạn thẻ bạn đọc (ngày)"))


@dataclass(frozen=True)
class Resolved:
    value: Any
    source: OrgUnit | None  # None means the registered default


def setting_resolve(unit: OrgUnit, key: str) -> Resolved:
    """The value of `key` at `unit`: its own override, else the nearest ancestor's, else the default."""
    if key not in REGISTRY:
        raise KeyError(key)
    ids = unit.ancestor_ids
    overrides = {o.unit_id: o for o in OrgUnitSetting.objects.filter(unit_id__in=ids, key=key).select_related("unit")}
    for unit_id in reversed(ids):
        if unit_id in overrides:
            return Resolved(overrides[unit_id].value, overrides[unit_id].unit)
    return Resolved(REGISTRY[key].default, None)


def setting_get(unit: OrgUnit, key: str) -> Any:
    """The effective value of `key` at `unit`."""
    return setting_resolve(unit, key).value
