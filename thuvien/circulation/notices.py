"""Reader notices: queued as rows inside the service's transaction, sent after commit (or by the
daily job) by e-mail through Django's mail backend, or by SMS through a pluggable gateway."""

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
        transaction.on_commit(notices_send_pending)
    return rows


def notices_send_pending(limit: int = 500) -> int:
    """Send queued notices (oldest first); a failure is recorded on the row and retried next time."""
    sent = 0
    gateway = None
    for notice in Notice.objects.filter(sent_at__isnull=True).order_by("created_at")[:limit]:
        try:
            if notice.channel == "email":
                send_mail(notice.subject, notice.body, None, [notice.to])
            else:
                gateway = gateway or sms_gateway()
                gateway.send(phone=notice.to, text=notice.body)
        except OSError as exc:  # SMTP and socket errors
            notice.error = str(exc)[:500]
            notice.save(update_fields=["error"])
            continue
        notice.sent_at = timezone.now()
        notice.error = ""
        notice.save(update_fields=["sent_at", "error"])
        sent += 1
    return sent


def receipt_text(*, desk_name: str, patron: Patron, loans: list) -> tuple[str, str]:  # type: ignore[type-arg]
    """Subject and body of a loan receipt (the same lines as the printed one)."""
    from django.utils.translation import gettext as _

    subject = _("Biên nhận mượn tài liệu — %(desk)s") % {"desk": desk_name}
    lines = [f"{patron.full_name} · {_('Số thẻ')} {patron.card_number}", ""]
    for loan in loans:
        due = timezone.localtime(loan.due_at).strftime("%d/%m/%Y")
        lines.append(f"{loan.item.barcode}  {loan.item.record.title}  — {_('hạn trả')} {due}")
    return subject, "\n".join(lines)
