"""Reader notices: queued as rows inside the service's transaction and handed to the background
worker after commit (never sent in a desk request), by e-mail through Django's mail backend, or by
SMS through a pluggable gateway. Each notice is claimed before it is sent, so two workers (or two
servers) sending at once send it once."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from thuvien.circulation.models import Notice
from thuvien.patrons.models import ConsentPurpose, Patron

logger = logging.getLogger("thuvien.circulation.notices")


class SmsGateway(Protocol):
    """An SMS provider. Configure `THUVIEN_SMS_GATEWAY` with the dotted path of a class."""

    def send(self, *, phone: str, text: str) -> None: ...


class ConsoleSmsGateway:
    """Writes messages to the log instead of sending them (development and tests)."""

    sent: list[tuple[str, str]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.sent.append((phone, text))
        logger.info("SMS to %s: %s", phone, text)


def sms_gateway() -> SmsGateway:
    path = getattr(settings, "THUVIEN_SMS_GATEWAY", "thuvien.circulation.notices.ConsoleSmsGateway")
    return import_string(path)()  # type: ignore[no-any-return]


def notice_queue(*, patron: Patron, kind: str, subject: str, body: str,
                 consents: set[str] | None = None) -> list[Notice]:
    """Queue a notice on every channel the reader consented to; sending happens after commit."""
    if consents is None:
        consents = set(patron.consents.filter(withdrawn_at__isnull=True).values_list("purpose", flat=True))
    rows = []
    if patron.email and ConsentPurpose.NOTICES_EMAIL in consents:
        rows.append(Notice(patron=patron, kind=kind, channel="email", to=patron.email, subject=subject, body=body))
    if patron.phone and ConsentPurpose.NOTICES_SMS in consents:
        rows.append(Notice(patron=patron, kind=kind, channel="sms", to=patron.phone, subject=subject,
                           body=subject))
    if rows:
        Notice.objects.bulk_create(rows)
        transaction.on_commit(notices_hand_to_worker)
    return rows


def notices_hand_to_worker() -> None:
    """Ask the background worker to send the queued notices (call after commit; one small insert)."""
    from thuvien.circulation.tasks import notices_send_task

    notices_send_task.enqueue()


def notices_send_pending(limit: int = 500) -> int:
    """Send queued notices (oldest first), each exactly once even with several senders at once:
    a notice is claimed by a conditional update of `sent_at` that only one sender can win; a
    failure gives the claim back with the error, to be retried next time."""
    sent = 0
    gateway = None
    pending = list(Notice.objects.filter(sent_at__isnull=True).order_by("created_at", "id")
                   .values_list("id", flat=True)[:limit])
    for notice_id in pending:
        claimed_at = timezone.now()
        if not Notice.objects.filter(pk=notice_id, sent_at__isnull=True).update(sent_at=claimed_at):
            continue  # another sender has it
        notice = Notice.objects.get(pk=notice_id)
        try:
            if notice.channel == "email":
                send_mail(notice.subject, notice.body, None, [notice.to])
            else:
                gateway = gateway or sms_gateway()
                gateway.send(phone=notice.to, text=notice.body)
        except OSError as exc:  # SMTP and socket errors: give the claim back
            Notice.objects.filter(pk=notice_id, sent_at=claimed_at).update(sent_at=None, error=str(exc)[:500])
            continue
        if notice.error:
            Notice.objects.filter(pk=notice_id).update(error="")
        sent += 1
    return sent


def notices_send_scheduled() -> dict[str, int]:
    """The scheduled sweep (every minute): whatever is still queued, e.g. after a failure."""
    return {"notices_sent": notices_send_pending()}


def receipt_text(*, desk_name: str, patron: Patron, loans: list) -> tuple[str, str]:  # type: ignore[type-arg]
    """Subject and body of a loan receipt (the same lines as the printed one)."""
    from django.utils.translation import gettext as _

    subject = _("Biên nhận mượn tài liệu — %(desk)s") % {"desk": desk_name}
    lines = [f"{patron.full_name} · {_('Số thẻ')} {patron.card_number}", ""]
    for loan in loans:
        due = timezone.localtime(loan.due_at).strftime("%d/%m/%Y")
        lines.append(f"{loan.item.barcode}  {loan.item.record.title}  — {_('hạn trả')} {due}")
    return subject, "\n".join(lines)
