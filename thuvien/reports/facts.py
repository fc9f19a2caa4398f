"""The measured things: event kinds, the anonymous tags an event carries, and the services that write
events which no other app writes (head counts, gate counts, portal counters).

Every event is a `core.ActivityEvent`: unit, kind, time and `attributes` holding only coarse tags
(`TAGS`) and, for counted events, `count`. Never a reader, staff member or item identity.
"""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import IntegerField, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from thuvien.core.models import ActivityEvent, OrgUnit
from thuvien.core.permissions import Perm, require_perm

if TYPE_CHECKING:
    from thuvien.core.models import User

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

# kind -> label. Other apps write most of them (circulation: loan, renewal, return, hold, in_house,
# lost; digital: digital_view, digital_download); the rest are written here.
KINDS: dict[str, Any] = {
    "loan": _("Lượt mượn"),
    "renewal": _("Lượt gia hạn"),
    "return": _("Lượt trả"),
    "hold": _("Lượt đặt mượn"),
    "in_house": _("Lượt đọc tại chỗ"),
    "lost": _("Tài liệu báo mất"),
    "card_new": _("Thẻ cấp mới"),
    "card_renewal": _("Thẻ gia hạn"),
    "visit": _("Lượt bạn đọc đến thư viện"),
    "portal_visit": _("Lượt truy cập cổng thông tin"),
    "search": _("Lượt tra cứu"),
    "digital_view": _("Lượt xem tài liệu số"),
    "digital_download": _("Lượt tải tài liệu số"),
    "event": _("Sự kiện, hoạt động"),
    "attendance": _("Lượt người tham dự sự kiện"),
    "van_trip": _("Chuyến xe lưu động"),
    "van_stop": _("Điểm dừng phục vụ lưu động"),
    "item_added": _("Bản tài liệu bổ sung"),
    "item_withdrawn": _("Bản tài liệu thanh lý"),
    # online services (thuvien.online)
    "question": _("Câu hỏi gửi thủ thư"),
    "question_answered": _("Câu hỏi đã trả lời"),
    "copy_request": _("Yêu cầu sao chụp từ xa"),
    "postal_request": _("Yêu cầu mượn qua bưu điện"),
    "suggestion": _("Đề nghị bổ sung tài liệu"),
}

# The tags an event may carry, all coarse; the roll-up keeps exactly these.
TAGS = ("category", "age_band", "gender", "ethnicity", "ddc_class", "language")

AGE_BANDS = [(0, 5, "0-5"), (6, 11, "6-11"), (12, 15, "12-15"), (16, 24, "16-24"), (25, 59, "25-59"),
             (60, 200, "60+")]
AGE_BAND_CODES = [b[2] for b in AGE_BANDS]


def age_band(birth_date: dt.date | None, on: dt.date) -> str:
    """The age band of someone born on `birth_date` at date `on` ("" when unknown)."""
    if birth_date is None:
        return ""
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    for low, high, code in AGE_BANDS:
        if low <= age <= high:
            return code
    return ""


def ddc_class(ddc: str) -> str:
    """The DDC main class ("0".."9") of a class number, "" when there is none."""
    ddc = (ddc or "").strip()
    return ddc[0] if ddc[:1].isdigit() else ""


def reader_tags(patron: Any, on: dt.date | None = None) -> dict[str, str]:
    """The anonymous tags of a reader for an event: category, age band, gender, ethnicity (if given)."""
    on = on or dt.datetime.now(tz=HCM).date()
    tags = {"category": getattr(patron.category, "code", "") if patron.category_id else "",
            "age_band": age_band(patron.birth_date, on), "gender": patron.gender or "",
            "ethnicity": patron.ethnicity or ""}
    return {k: v for k, v in tags.items() if v}


def record_tags(record: Any) -> dict[str, str]:
    """The anonymous tags of a title for an event: DDC main class and language."""
    return title_tags(record.ddc, record.language)


def title_tags(ddc: str | None, language: str | None) -> dict[str, str]:
    """The anonymous tags of a title from its DDC number and language code (the columns alone, so the
    desk can read them in its own statement without loading the record)."""
    tags = {"ddc_class": ddc_class(ddc or ""), "language": (language or "")[:3]}
    return {k: v for k, v in tags.items() if v}


def local_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=HCM)


def event_record(*, kind: str, unit: OrgUnit, count: int = 1, day: dt.date | None = None,
                 tags: dict[str, str] | None = None, **more: str) -> ActivityEvent:
    """Append one anonymised event (`count` units of `kind`); `day` dates it at noon of a past day."""
    if kind not in KINDS:
        raise ValueError(_("Loại sự kiện không hợp lệ: %(kind)s") % {"kind": kind})
    attributes: dict[str, Any] = {k: str(v) for k, v in {**(tags or {}), **more}.items() if k in TAGS and v}
    if count != 1:
        attributes["count"] = int(count)
    event = ActivityEvent.objects.create(kind=kind, unit=unit, attributes=attributes)
    if day is not None:
        ActivityEvent.objects.filter(pk=event.pk).update(at=local_noon(day))
        event.at = local_noon(day)
    return event


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware datetimes [first 00:00, last+1 00:00) in Vietnam time."""
    start = dt.datetime.combine(first, dt.time(0), tzinfo=HCM)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=HCM)
    return start, end


def count_expr() -> Coalesce:
    """SQL for an event's count: `attributes.count`, else 1."""
    return Coalesce(Cast(KeyTextTransform("count", "attributes"), IntegerField()), 1)


def visits_on(*, unit: OrgUnit, day: dt.date, source: str) -> int:
    """Visits recorded at `unit` on `day` by one source ("manual" head counts or "gate")."""
    start, end = day_bounds(day, day)
    qs = ActivityEvent.objects.filter(unit=unit, kind="visit", at__gte=start, at__lt=end)
    qs = qs.filter(attributes__source=source)
    return int(qs.aggregate(n=Sum(count_expr()))["n"] or 0)


@transaction.atomic
def visit_count_set(*, actor: User | None, unit: OrgUnit, day: dt.date, count: int, source: str = "manual") -> int:
    """Make the visits of `unit` on `day` from `source` equal `count`, by appending the difference
    (events stay append-only; a correction is a negative event). Returns the difference written."""
    if actor is not None:
        require_perm(actor, Perm.REPORT_VIEW, unit)
    if count < 0:
        raise ValueError(_("Số lượt không được âm."))
    if day > dt.datetime.now(tz=HCM).date():
        raise ValueError(_("Không nhập số liệu cho ngày trong tương lai."))
    delta = count - visits_on(unit=unit, day=day, source=source)
    if delta:
        event = ActivityEvent.objects.create(kind="visit", unit=unit, attributes={"count": delta, "source": source})
        ActivityEvent.objects.filter(pk=event.pk).update(at=local_noon(day))
    return delta


MANUAL_KINDS = ("event", "attendance", "van_trip", "van_stop")


@transaction.atomic
def activity_record(*, actor: User, unit: OrgUnit, kind: str, day: dt.date, count: int) -> ActivityEvent:
    """Record events held, their attendance, mobile-van trips or stops at `unit` on `day`."""
    require_perm(actor, Perm.REPORT_VIEW, unit)
    if kind not in MANUAL_KINDS:
        raise ValueError(_("Loại sự kiện không hợp lệ: %(kind)s") % {"kind": kind})
    if count <= 0:
        raise ValueError(_("Số lượng phải lớn hơn 0."))
    if day > dt.datetime.now(tz=HCM).date():
        raise ValueError(_("Không nhập số liệu cho ngày trong tương lai."))
    return event_record(kind=kind, unit=unit, count=count, day=day)


def gate_counts_import(*, actor: User, rows: list[list[str]]) -> dict[str, Any]:
    """Import gate counts from CSV rows (unit code, YYYY-MM-DD, count): each sets that day's gate
    visits. Every row is checked before anything is written; errors name the line."""
    errors: list[str] = []
    parsed: list[tuple[OrgUnit, dt.date, int]] = []
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={r[0].strip() for r in rows if r})}
    for n, row in enumerate(rows, start=1):
        if len(row) < 3:
            errors.append(_("Dòng %(n)s: cần 3 cột (mã đơn vị, ngày, số lượt).") % {"n": n})
            continue
        code, day_text, count_text = (c.strip() for c in row[:3])
        unit = units.get(code)
        try:
            day = dt.date.fromisoformat(day_text)
            count = int(count_text)
        except ValueError:
            errors.append(_("Dòng %(n)s: ngày hoặc số lượt không hợp lệ.") % {"n": n})
            continue
        if unit is None:
            errors.append(_("Dòng %(n)s: không có đơn vị %(code)s.") % {"n": n, "code": code})
        elif count < 0:
            errors.append(_("Dòng %(n)s: số lượt không được âm.") % {"n": n})
        else:
            require_perm(actor, Perm.REPORT_VIEW, unit)
            parsed.append((unit, day, count))
    if errors:
        return {"imported": 0, "errors": errors}
    with transaction.atomic():
        for unit, day, count in parsed:
            visit_count_set(actor=None, unit=unit, day=day, count=count, source="gate")
    return {"imported": len(parsed), "errors": []}


# -- portal visits and searches, counted without cookies or personal data ----------------------

_counter_lock = threading.Lock()
_counter: dict[str, int] = {}
FLUSH_EVERY = 50


def portal_hit(kind: str) -> None:
    """Count one portal page view or search in this process; flushed as one event every FLUSH_EVERY."""
    with _counter_lock:
        _counter[kind] = _counter.get(kind, 0) + 1
        due = sum(_counter.values()) >= FLUSH_EVERY
    if due:
        portal_flush()


def portal_flush() -> None:
    """Write the counted portal hits as events on the network root (the portal is network-wide)."""
    with _counter_lock:
        pending = dict(_counter)
        _counter.clear()
    root = OrgUnit.objects.filter(parent__isnull=True, is_active=True).order_by("pk").first()
    if root is None:
        return
    for kind, n in pending.items():
        if n:
            ActivityEvent.objects.create(kind=kind, unit=root, attributes={"count": n} if n != 1 else {})


def events_bulk_insert(rows: list[tuple[dt.datetime, int, str, dict[str, Any]]]) -> int:
    """Insert many events at once (demo data, benchmarks, imports): (aware time, unit id, kind, attributes)."""
    from thuvien.catalog.bulk import adapter, insert_tuples

    at, attrs = adapter(ActivityEvent, "at"), adapter(ActivityEvent, "attributes")
    return insert_tuples(ActivityEvent, ("at", "unit_id", "kind", "attributes"),
                         [(at(t), u, k, attrs(a)) for t, u, k, a in rows])
