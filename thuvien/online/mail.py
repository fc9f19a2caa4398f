"""E-mails of the online services, sent by the background worker through Django's mail backend (the same
backend as circulation notices). Each is claimed with a conditional update so it is sent once."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.online.models import CopyRequest, Question

logger = logging.getLogger("thuvien.online.mail")


def _site() -> str:
    return str(getattr(settings, "THUVIEN_SITE_URL", "")).rstrip("/")


def question_answer_send(question_id: int) -> bool:
    """Send the answer once; a mail failure gives the claim back so a retry sends it."""
    stamp = timezone.now()
    if not Question.objects.filter(pk=question_id, answer_sent_at__isnull=True).exclude(email="").update(
            answer_sent_at=stamp, updated_at=stamp):
        return False
    q = Question.objects.select_related("library").get(pk=question_id)
    body = "\n".join([
        _("Câu hỏi của bạn:"), q.text, "", _("Trả lời của %(lib)s:") % {"lib": q.library.name}, q.answer, "",
        _("Xem lại trong tài khoản bạn đọc: %(url)s") % {"url": _site() + reverse("opac:account") + "?tab=questions"}
        if q.patron_id else "",
    ])
    try:
        send_mail(_("Thư viện trả lời câu hỏi của bạn"), body.strip(), None, [q.email])
    except OSError:
        logger.exception("answer mail for question %s failed", question_id)
        Question.objects.filter(pk=question_id).update(answer_sent_at=None)  # not a change: give the claim back
        return False
    return True


def copy_delivered_send(request_id: int) -> bool:
    r = CopyRequest.objects.select_related("patron", "library", "record").get(pk=request_id)
    if not r.patron.email:
        return False
    url = _site() + reverse("online:copy_download", args=[r.uuid])
    body = _("Bản sao “%(t)s” (trang %(p)s) đã sẵn sàng. Tải về (cần đăng nhập): %(u)s") % {
        "t": r.record.title, "p": r.pages, "u": url}
    send_mail(_("Bản sao tài liệu của bạn đã sẵn sàng"), body, None, [r.patron.email])
    return True
