"""Writes of the reports app: saved builder reports, subscriptions and per-year unit data. Each checks
report.view at the unit it is for and writes its audit entry in the same transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from thuvien.core.audit import audit
from thuvien.core.models import OrgUnit, User
from thuvien.core.permissions import Perm, require_perm
from thuvien.reports.builder import builder_clean
from thuvien.reports.catalogue import REPORTS
from thuvien.reports.exports import FORMATS
from thuvien.reports.models import ReportSubscription, SavedReport, UnitYearData


@transaction.atomic
def saved_report_create(*, actor: User, unit: OrgUnit, name: str, spec: dict[str, Any], shared: bool) -> SavedReport:
    """Save a builder spec (checked against the allow-lists) for `unit`, shared in its subtree or private."""
    require_perm(actor, Perm.REPORT_VIEW, unit)
    if not name.strip():
        raise ValidationError({"name": _("Cần đặt tên cho báo cáo.")})
    try:
        clean = builder_clean(spec)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    saved = SavedReport.objects.create(name=name.strip()[:200], unit=unit, owner=actor, shared=shared, spec=clean)
    audit(actor=actor, action="report.saved", obj=saved, unit=unit, changes={"spec": [None, clean]})
    return saved


@transaction.atomic
def subscription_create(*, actor: User, unit: OrgUnit, report: str, every: str, file_format: str,
                        recipients: list[str]) -> ReportSubscription:
    """E-mail `report` for `unit` every month or year to `recipients` (each checked as an address)."""
    require_perm(actor, Perm.REPORT_VIEW, unit)
    if report not in REPORTS or file_format not in FORMATS or every not in ReportSubscription.Every.values:
        raise ValidationError(_("Báo cáo, tần suất hoặc định dạng không hợp lệ."))
    clean = [r.strip() for r in recipients if r.strip()]
    if not clean:
        raise ValidationError({"recipients": _("Cần ít nhất một địa chỉ nhận.")})
    for address in clean:
        validate_email(address)
    sub = ReportSubscription.objects.create(report=report, unit=unit, every=every, file_format=file_format,
                                            recipients="\n".join(clean), created_by=actor)
    audit(actor=actor, action="report.subscribed", obj=sub, unit=unit,
          changes={"report": [None, report], "recipients": [None, len(clean)]})
    return sub


@transaction.atomic
def subscription_delete(*, actor: User, subscription: ReportSubscription) -> None:
    require_perm(actor, Perm.REPORT_VIEW, subscription.unit)
    audit(actor=actor, action="report.unsubscribed", obj=subscription, unit=subscription.unit)
    subscription.delete()


@transaction.atomic
def unit_year_data_set(*, actor: User, unit: OrgUnit, year: int, data: dict[str, Any]) -> UnitYearData:
    """Set a unit's population, expenditure, staff, seats and digitisation target for a year."""
    require_perm(actor, Perm.ORG_EDIT, unit)
    row, _created = UnitYearData.objects.get_or_create(unit=unit, year=year)
    before = {k: str(getattr(row, k)) for k in data}
    for key, value in data.items():
        if key not in ("population", "expenditure", "staff", "seats", "digitisation_target"):
            raise ValidationError(_("Trường không hợp lệ: %(k)s") % {"k": key})
        if Decimal(value) < 0:
            raise ValidationError({key: _("Không được âm.")})
        setattr(row, key, value)
    row.save()
    audit(actor=actor, action="report.year_data", obj=row, unit=unit,
          changes={k: [before[k], str(v)] for k, v in data.items() if before[k] != str(v)})
    return row
