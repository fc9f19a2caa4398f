"""Background jobs: the incremental roll-up and the e-mailed report subscriptions."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from thuvien.reports.catalogue import REPORTS, report_build
from thuvien.reports.exports import FORMATS, filename, report_render
from thuvien.reports.facts import HCM, portal_flush
from thuvien.reports.models import ReportSubscription
from thuvien.reports.periods import period_parse
from thuvien.reports.rollup import rollup_pending

log = logging.getLogger(__name__)


def rollup() -> dict[str, int]:
    """Flush this process's portal counters and roll up the days that received events."""
    portal_flush()
    return rollup_pending()


def due_period(every: str, today: dt.date) -> str:
    """The last complete period for a subscription: the previous month, or the previous year."""
    if every == ReportSubscription.Every.YEARLY:
        return str(today.year - 1)
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    return f"{last_month:%Y-%m}"


def send_subscriptions(today: dt.date | None = None) -> dict[str, Any]:
    """E-mail every subscription whose last complete period has not been sent yet (once each)."""
    today = today or dt.datetime.now(tz=HCM).date()
    rollup_pending(today)
    sent, failed = 0, 0
    for sub in ReportSubscription.objects.select_related("unit").order_by("pk"):
        code = due_period(sub.every, today)
        if sub.last_sent_period == code or sub.report not in REPORTS or sub.file_format not in FORMATS:
            continue
        recipients = [a.strip() for a in sub.recipients.splitlines() if a.strip()]
        report = report_build(name=sub.report, unit=sub.unit, period=period_parse(code))
        mail = EmailMessage(subject=f"{report.title} — {sub.unit.name} — {report.period.label}",
                            body=f"{report.title}\n{sub.unit.name}\n{report.period.label}\n",
                            from_email=settings.DEFAULT_FROM_EMAIL, to=recipients)
        mail.attach(filename(report, sub.file_format), report_render(report, sub.file_format),
                    FORMATS[sub.file_format])
        try:
            mail.send()
        except OSError:
            log.exception("report subscription %s could not be sent", sub.pk)
            failed += 1
            continue
        ReportSubscription.objects.filter(pk=sub.pk).update(last_sent_period=code, updated_at=timezone.now())
        sent += 1
    return {"sent": sent, "failed": failed}
