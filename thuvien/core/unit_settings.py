"""Settings that inherit down the organisation tree unless a unit overrides them (Evergreen-style).

Each setting declares its type (`bool`, `int`, `text`, `weekdays`, `dates`) and range, so the staff form
shows a proper widget, a wrong value is refused with a message before it is stored, and a bad value that
is already stored (an old row, a manual edit) falls back to the default instead of breaking checkouts."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from thuvien.core.models import OrgUnitSetting

if TYPE_CHECKING:
    from thuvien.core.models import OrgUnit

log = logging.getLogger(__name__)

TYPES = ("bool", "int", "text", "weekdays", "dates", "json")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of range")
    return number


def _parse_date(text: str) -> dt.date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date, no time)
        except ValueError:
            continue
    raise ValidationError(gettext("“%(v)s” không phải là ngày (hãy viết 30/04/2027).") % {"v": text})


@dataclass(frozen=True)
class SettingDef:
    key: str
    default: Any
    label: str | Promise
    help: str | Promise = ""
    type: str = "text"
    min: int | None = None
    max: int | None = None
    max_length: int = 200

    def clean(self, value: Any) -> Any:
        """The value in its stored form, or ValidationError with a message a librarian understands."""
        if self.type == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in ("true", "1", "on", "yes", "có"):
                return True
            if isinstance(value, str) and value.strip().lower() in ("false", "0", "off", "no", "không", ""):
                return False
            raise ValidationError(gettext("%(label)s: chọn Có hoặc Không.") % {"label": self.label})
        if self.type == "int":
            text = str(value).strip().replace(" ", "")
            if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):  # 50.000 written the Vietnamese way
                text = text.replace(".", "")
            number = int(text) if not isinstance(value, bool) and re.fullmatch(r"-?\d+", text) else None
            if number is None:
                raise ValidationError(gettext("%(label)s: “%(v)s” không phải là một số nguyên.")
                                      % {"label": self.label, "v": value})
            if self.min is not None and number < self.min:
                raise ValidationError(gettext("%(label)s: giá trị nhỏ nhất là %(n)s.") % {"label": self.label, "n": self.min})
            if self.max is not None and number > self.max:
                raise ValidationError(gettext("%(label)s: giá trị lớn nhất là %(n)s.") % {"label": self.label, "n": self.max})
            return number
        if self.type == "weekdays":
            items = value if isinstance(value, list | tuple) else str(value).replace(",", " ").split()
            days: set[int] = set()
            for item in items:
                try:
                    day = int(item)
                except (TypeError, ValueError):
                    day = -1
                if not 0 <= day <= 6:
                    raise ValidationError(gettext("%(label)s: ngày trong tuần không hợp lệ.") % {"label": self.label})
                days.add(day)
            return sorted(days)
        if self.type == "dates":
            items = value if isinstance(value, list | tuple) else str(value).replace(",", "\n").split()
            dates = {(_parse_date(v) if isinstance(v, str) else v) for v in items if str(v).strip()}
            if not all(isinstance(d, dt.date) for d in dates):
                raise ValidationError(gettext("%(label)s: danh sách ngày không hợp lệ.") % {"label": self.label})
            return [d.isoformat() for d in sorted(dates)]
        if self.type == "json":
            if not isinstance(value, str):
                return value
            try:  # strict JSON: NaN, Infinity and overflowing numbers (1e309) cannot be stored or compared
                return json.loads(value, parse_constant=_refuse_constant, parse_float=_finite_float)
            except (json.JSONDecodeError, ValueError, RecursionError):
                raise ValidationError(gettext("%(label)s: giá trị phải là JSON hợp lệ, ví dụ 30, true, [6] hoặc \"văn bản\".")
                                      % {"label": self.label}) from None
        text = str(value).strip()
        if len(text) > self.max_length:
            raise ValidationError(gettext("%(label)s: tối đa %(n)s ký tự.") % {"label": self.label, "n": self.max_length})
        return text

    def coerce(self, stored: Any) -> Any:
        """A stored value made safe to use: cleaned, or the default when it cannot be (logged once per read)."""
        if self.type == "json":
            return stored
        if self.type in ("weekdays", "dates") and isinstance(stored, list):  # keep the good entries of a list
            good = []
            for entry in stored:
                try:
                    good.extend(self.clean([entry]))
                except ValidationError:
                    log.warning("unit setting %s holds an invalid entry %r; skipped", self.key, entry)
            return self.clean(good)
        try:
            return self.clean(stored)
        except ValidationError:
            log.warning("unit setting %s holds an invalid value %r; using the default", self.key, stored)
            return self.default


REGISTRY: dict[str, SettingDef] = {}


def register(key: str, default: Any, label: str | Promise, help: str | Promise = "", *, type: str | None = None,
             min: int | None = None, max: int | None = None, max_length: int = 200) -> SettingDef:
    """Declare a setting once (at import time of the app that owns it); the type is taken from the
    default when not given (a bool, an int, a text, else any JSON value)."""
    if type is None:
        type = ("bool" if isinstance(default, bool) else "int" if isinstance(default, int)
                else "text" if isinstance(default, str) else "json")
    if type not in TYPES:
        raise ValueError(f"unknown setting type {type!r} for {key}")
    definition = SettingDef(key, default, label, help, type, min, max, max_length)
    REGISTRY[key] = definition
    return definition


WEEKDAYS = (_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"), _("Chủ nhật"))

register("opac.visible", True, _("Hiển thị trên cổng tra cứu"))
register("circ.closed_weekdays", [], _("Ngày nghỉ trong tuần"), type="weekdays")
register("circ.closed_dates", [], _("Ngày nghỉ riêng"), _("Mỗi dòng một ngày, ví dụ 30/04/2027."), type="dates")
register("circ.open_dates", [], _("Ngày vẫn mở cửa dù là ngày nghỉ, ví dụ ngày làm bù"),
         _("Mỗi dòng một ngày, ví dụ 30/04/2027."), type="dates")
register("patron.card_validity_days", 365, _("Thời hạn thẻ bạn đọc (ngày)"), min=1, max=3650)


@dataclass(frozen=True)
class Resolved:
    value: Any
    source: OrgUnit | None  # None means the registered default


def setting_resolve(unit: OrgUnit, key: str) -> Resolved:
    """The value of `key` at `unit`: its own override, else the nearest ancestor's, else the default.
    A stored value that does not fit the declared type counts as the default."""
    if key not in REGISTRY:
        raise KeyError(key)
    definition = REGISTRY[key]
    ids = unit.ancestor_ids
    overrides = {o.unit_id: o for o in OrgUnitSetting.objects.filter(unit_id__in=ids, key=key).select_related("unit")}
    for unit_id in reversed(ids):
        if unit_id in overrides:
            return Resolved(definition.coerce(overrides[unit_id].value), overrides[unit_id].unit)
    return Resolved(definition.default, None)


def setting_get(unit: OrgUnit, key: str) -> Any:
    """The effective value of `key` at `unit`."""
    return setting_resolve(unit, key).value
