"""Personal-data duties (Law 91/2025/QH15, Decree 356/2025/NĐ-CP): the data-subject request queue with
its deadline, the breach register's 72-hour clock, and the retention job that erases readers two
years after their card expired (the consent wording promises it). Writes audit in their transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.core.audit import audit
from thuvien.core.permissions import Perm, require_perm, scope_q
from thuvien.patrons.models import BreachReport, DataRequest, DataRequestStatus, Patron, PatronStatus

if TYPE_CHECKING:
    from thuvien.core.models import OrgUnit, User

REQUEST_WORKING_DAYS = 2
BREACH_NOTICE_HOURS = 72
RETENTION_DAYS = 730  # two years after the card expired


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """`start` plus `days` working days (Monday to Friday, Vietnam time), at the end of that day."""
    day = timezone.localtime(start).date()
    left = days
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    end = dt.datetime.combine(day, dt.time(23, 59, 59))
    return timezone.make_aware(end)


@dataclass
class QueueRow:
    request: DataRequest
    deadline: dt.datetime
    overdue: bool


def datarequest_queue(*, staff: User, include_closed: bool = False) -> list[QueueRow]:
    """Data-subject requests of readers in the staff member's subtree, open ones first by deadline."""
    qs: QuerySet[DataRequest] = DataRequest.objects.filter(
        scope_q(staff, Perm.PATRON_EDIT, "patron__home_library__")).select_related("patron__home_library")
    if not include_closed:
        qs = qs.filter(status=DataRequestStatus.OPEN)
    now = timezone.now()
    rows = [QueueRow(r, add_working_days(r.created_at, REQUEST_WORKING_DAYS), False) for r in qs[:500]]
    for row in rows:
        row.overdue = row.request.status == DataRequestStatus.OPEN and row.deadline < now
    rows.sort(key=lambda r: (r.request.status != DataRequestStatus.OPEN, r.deadline))
    return rows


@transaction.atomic
def patron_restrict(*, actor: User, patron: Patron, note: str = "") -> Patron:
    """Restrict processing at the reader's request: the card is suspended (no lending, no notices)
    until staff lift it; the data stays as it is."""
    patron = Patron.objects.select_for_update().get(pk=patron.pk)
    require_perm(actor, Perm.PATRON_EDIT, patron.home_library)
    if patron.status == PatronStatus.ERASED:
        raise ValidationError(_("Dữ liệu bạn đọc này đã bị xoá."))
    before = patron.status
    patron.status = PatronStatus.SUSPENDED
    patron.save(update_fields=["status", "updated_at"])
    audit(actor=actor, action="patron.restrict", obj=patron, unit=patron.home_library,
          changes={"status": [before, patron.status], "note": [None, note[:500]]}, object_repr=patron.card_number)
    return patron


def breach_deadline(report: BreachReport) -> dt.datetime:
    """When the authority must have been told: 72 hours after discovery."""
    return report.discovered_at + dt.timedelta(hours=BREACH_NOTICE_HOURS)


@transaction.atomic
def breach_record(*, actor: User, unit: OrgUnit, discovered_at: dt.datetime, description: str,
                  data_affected: str = "", people_affected: int = 0, measures: str = "") -> BreachReport:
    """Enter a personal-data breach in the register (managers of the unit)."""
    require_perm(actor, Perm.AUDIT_VIEW, unit)
    if not description.strip():
        raise ValidationError({"description": _("Hãy mô tả sự cố.")})
    if discovered_at > timezone.now():
        raise ValidationError({"discovered_at": _("Thời điểm phát hiện không thể ở tương lai.")})
    report = BreachReport.objects.create(unit=unit, discovered_at=discovered_at, description=description.strip(),
                                         data_affected=data_affected.strip()[:500], people_affected=people_affected,
                                         measures=measures.strip(), created_by=actor)
    audit(actor=actor, action="privacy.breach_record", obj=report, unit=unit,
          changes={"discovered_at": [None, discovered_at], "people_affected": [None, people_affected]})
    return report


@transaction.atomic
def breach_notified(*, actor: User, report: BreachReport, at: dt.datetime | None = None) -> BreachReport:
    """Record that the authority was told about the breach."""
    require_perm(actor, Perm.AUDIT_VIEW, report.unit)
    report.notified_at = at or timezone.now()
    report.save(update_fields=["notified_at", "updated_at"])
    audit(actor=actor, action="privacy.breach_notified", obj=report, unit=report.unit,
          changes={"notified_at": [None, report.notified_at]})
    return report


def retention_erase_expired(*, today: dt.date | None = None) -> dict[str, Any]:
    """The scheduled retention job: erase readers whose card expired more than two years ago and who
    have nothing open (loans, unpaid fines are left and counted). Runs as the system."""
    from thuvien.core.demo import system_user
    from thuvien.patrons.services import patron_erase

    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=RETENTION_DAYS)
    actor = system_user()
    erased = kept = 0
    for patron in Patron.objects.filter(expires_on__lt=cutoff).exclude(status=PatronStatus.ERASED).iterator():
        try:
            patron_erase(actor=actor, patron=patron)
            erased += 1
        except ValidationError:
            kept += 1
    return {"erased": erased, "kept_open_business": kept, "cutoff": cutoff.isoformat()}
