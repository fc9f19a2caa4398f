"""The daily circulation job: expire uncollected holds, queue overdue notices, anonymise old loan
history, send queued notices. Run by `thuvien circ_daily` (cron or a systemd timer)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.circulation.calendar import local_date
from thuvien.circulation.conf import settings_many
from thuvien.circulation.models import Hold, HoldState, Loan, NoticeKind
from thuvien.circulation.notices import notice_queue, notices_send_pending
from thuvien.circulation.selectors import overdue_filter
from thuvien.circulation.services import holds_expire
from thuvien.core.audit import audit
from thuvien.core.models import OrgUnit
from thuvien.patrons.models import Patron


@transaction.atomic
def overdue_notices_queue(*, now: dt.datetime | None = None) -> int:
    """Queue one overdue notice per reader listing every overdue loan not reminded in the last N days."""
    now = now or timezone.now()
    loans = (Loan.objects.filter(overdue_filter(now), patron__isnull=False)
             .select_related("patron", "item__record", "library").order_by("patron_id", "due_at"))
    by_patron: dict[int, list[Loan]] = defaultdict(list)
    every: dict[int, int] = {}
    for loan in loans.iterator(chunk_size=2000):
        if loan.library_id not in every:
            every[loan.library_id] = int(settings_many(loan.library, ["circ.overdue_notice_every_days"])[
                "circ.overdue_notice_every_days"])
        if loan.last_notice_at and loan.last_notice_at > now - dt.timedelta(days=every[loan.library_id]):
            continue
        by_patron[loan.patron_id].append(loan)  # type: ignore[index]
    for group in by_patron.values():
        patron = group[0].patron
        lines = "\n".join(f"- {ln.item.record.title} ({ln.item.barcode}), "
                          f"{_('hạn trả')} {local_date(ln.due_at):%d/%m/%Y}, {ln.library.name}" for ln in group)
        notice_queue(patron=patron, kind=NoticeKind.OVERDUE,  # type: ignore[arg-type]
                     subject=_("Nhắc trả tài liệu quá hạn"),
                     body=_("Kính gửi %(name)s,\n\nCác tài liệu sau đã quá hạn trả:\n%(lines)s\n\n"
                            "Vui lòng trả hoặc gia hạn trong tài khoản bạn đọc.") % {
                         "name": patron.full_name, "lines": lines})  # type: ignore[union-attr]
        Loan.objects.filter(pk__in=[ln.pk for ln in group]).update(last_notice_at=now, updated_at=timezone.now())
    return len(by_patron)


@transaction.atomic
def loans_anonymise(*, now: dt.datetime | None = None, patron: Patron | None = None) -> int:
    """Detach readers from returned loans older than the library's setting unless they opted in to
    keeping their reading history; statistics keep category and item type. Closed holds are deleted.
    With `patron`, only that reader's loans (when they withdraw the reading-history consent)."""
    now = now or timezone.now()
    total = 0
    loans = Loan.objects.filter(returned_at__isnull=False, anonymised=False)
    if patron is not None:
        loans = loans.filter(patron=patron)
    library_ids = loans.values_list("library_id", flat=True).distinct()
    for library in OrgUnit.objects.filter(pk__in=list(library_ids)):
        days = int(settings_many(library, ["circ.anonymise_after_days"])["circ.anonymise_after_days"])
        cutoff = now - dt.timedelta(days=days)
        total += (loans.filter(library=library, returned_at__lt=cutoff)
                  .exclude(patron__keep_history=True).update(patron=None, anonymised=True, updated_at=timezone.now()))
    if patron is not None:
        if total:
            audit(actor=None, action="loan.anonymise", obj=patron, unit=patron.home_library,
                  changes={"count": [None, total]}, object_repr=patron.card_number)
        return total
    Hold.objects.filter(state__in=(HoldState.FULFILLED, HoldState.CANCELLED, HoldState.EXPIRED),
                        closed_at__lt=now - dt.timedelta(days=30)).delete()
    if total:
        audit(actor=None, action="loan.anonymise", changes={"count": [None, total]}, object_type="circulation.loan")
    return total


def daily_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Everything the daily job does, with counts."""
    now = now or timezone.now()
    result = {
        "holds_expired": holds_expire(now=now),
        "overdue_readers_notified": overdue_notices_queue(now=now),
        "loans_anonymised": loans_anonymise(now=now),
    }
    result["notices_sent"] = notices_send_pending()
    return result


def _on_reading_history_withdrawn(sender: type, patron: Patron, **kwargs: object) -> None:
    loans_anonymise(patron=patron)
