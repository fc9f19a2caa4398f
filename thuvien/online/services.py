"""Writes of the online services. Each service checks permission at the unit that owns the object (the
question's, request's or postal loan's library), owns its transaction, moves states only through
`online.states`, writes its audit entry and an anonymised ActivityEvent, and hands e-mail to the
background worker after commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.catalog.models import BibRecord, Item, ItemStatus
from thuvien.circulation import services as circ
from thuvien.circulation.models import Loan
from thuvien.core.audit import audit, diff, snapshot
from thuvien.core.models import ActivityEvent, OrgUnit, User
from thuvien.core.permissions import Perm, has_perm, require_perm
from thuvien.core.unit_settings import setting_get
from thuvien.digital.models import AccessLevel, DigitalObject, ObjectStatus
from thuvien.online import fees
from thuvien.online.models import (
    CopyRequest,
    CopyState,
    DeliveryFormat,
    Fee,
    FeeExemption,
    FeeService,
    PaymentWay,
    PostalLoan,
    PostalState,
    PostalZone,
    Question,
    QuestionCategory,
    QuestionState,
    Suggestion,
    SuggestionState,
)
from thuvien.online.states import transition
from thuvien.patrons.models import Patron, PatronCategory, PatronStatus
from thuvien.reports.facts import reader_tags

if TYPE_CHECKING:
    from collections.abc import Callable

QUESTION_CONSENT = ("Tôi đồng ý để thư viện dùng họ tên, thư điện tử và số điện thoại tôi cung cấp chỉ để trả "
                    "lời câu hỏi này; thư viện không công bố các thông tin đó và xoá chúng khi câu hỏi được đăng "
                    "công khai dưới dạng ẩn danh.")
MAX_QUESTION = 4000


def _snapshot(obj: object) -> dict[str, object]:
    values = snapshot(obj)  # type: ignore[arg-type]
    if isinstance(obj, CopyRequest):
        values["scan"] = obj.scan.name or ""
    return values


def _event(kind: str, unit: OrgUnit, **attributes: str) -> None:
    ActivityEvent.objects.create(kind=kind, unit=unit, attributes={k: v for k, v in attributes.items() if v})


def _save(obj: Question | CopyRequest | PostalLoan | Suggestion, *, actor: User | None, action: str,
          before: dict[str, object]) -> None:
    obj.save()
    audit(actor=actor, action=action, obj=obj, unit=obj.library, changes=diff(before, _snapshot(obj)))


def _staff(actor: User, unit: OrgUnit) -> None:
    require_perm(actor, Perm.CIRC_DESK, unit)


def _reader(actor: User | None, patron: Patron) -> None:
    """Readers act on their own requests only (staff of the reader's library may act for them)."""
    if actor is not None and patron.user_id == actor.pk:
        return
    if actor is not None and has_perm(actor, Perm.CIRC_DESK, patron.home_library):
        return
    raise PermissionDenied(_("Đây không phải yêu cầu của bạn."))


def _active_reader(patron: Patron) -> None:
    if patron.status != PatronStatus.ACTIVE:
        raise ValidationError(_("Thẻ bạn đọc chưa được kích hoạt hoặc đang bị khoá."))


# -- fees table ---------------------------------------------------------------------------------

@transaction.atomic
def fee_set(*, actor: User, unit: OrgUnit, service: str, amount: Decimal, category: PatronCategory | None = None,
            copy_format: str = "", zone: str = "", weight_max_g: int | None = None) -> Fee:
    """Add a line to `unit`'s fees table (a manager of the unit); a free service (Art. 42) is refused."""
    require_perm(actor, Perm.CIRC_POLICY, unit)
    fees.fee_validate(service=service, amount=amount)
    fee = Fee.objects.create(unit=unit, service=service, amount=amount, category=category, copy_format=copy_format,
                             zone=zone, weight_max_g=weight_max_g)
    audit(actor=actor, action="online.fee_set", obj=fee, unit=unit, changes=diff({}, _snapshot(fee)))
    return fee


@transaction.atomic
def fee_delete(*, actor: User, fee: Fee) -> None:
    require_perm(actor, Perm.CIRC_POLICY, fee.unit)
    audit(actor=actor, action="online.fee_delete", obj=fee, unit=fee.unit, changes=diff(_snapshot(fee), {}))
    fee.delete()


@transaction.atomic
def exemption_set(*, actor: User, unit: OrgUnit, service: str, category: PatronCategory, note: str = "") -> FeeExemption:
    """Exempt a reader category from a service's fee at `unit` and below."""
    require_perm(actor, Perm.CIRC_POLICY, unit)
    if service not in FeeService.values:
        raise ValidationError(_("Dịch vụ không hợp lệ."))
    row, _created = FeeExemption.objects.update_or_create(unit=unit, service=service, category=category,
                                                          defaults={"note": note[:255]})
    audit(actor=actor, action="online.exemption_set", obj=row, unit=unit, changes={"note": [None, note]})
    return row


@transaction.atomic
def exemption_delete(*, actor: User, exemption: FeeExemption) -> None:
    require_perm(actor, Perm.CIRC_POLICY, exemption.unit)
    audit(actor=actor, action="online.exemption_delete", obj=exemption, unit=exemption.unit)
    exemption.delete()


# -- ask a librarian ---------------------------------------------------------------------------

def contact_clean(email: str, phone: str) -> tuple[str, str]:
    """The e-mail and phone as stored (at least one, both well-formed), or a ValidationError by field."""
    email, phone = (email or "").strip(), re.sub(r"[\s.]", "", phone or "")
    errors = {}
    if not email and not phone:
        errors["email"] = _("Hãy cho biết thư điện tử hoặc số điện thoại để thư viện trả lời.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Địa chỉ thư điện tử không hợp lệ.")
    if phone and not re.fullmatch(r"\+?\d{9,12}", phone):
        errors["phone"] = _("Số điện thoại không hợp lệ.")
    if errors:
        raise ValidationError(errors)
    return email, phone


class TooManyQuestions(Exception):
    """The sender has asked `online.questions_per_hour` questions in the last hour (answer 429)."""


def sender_key(value: str) -> str:
    """A keyed hash of an address or session key: enough to count, useless to find who it was."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def questions_in_last_hour(*, address_key: str, session_key: str) -> int:
    """How many questions came in the last hour from this address or this session (the larger count)."""
    since = timezone.now() - dt.timedelta(hours=1)
    counts = [Question.objects.filter(**{field: key, "created_at__gte": since}).count()
              for field, key in (("sender_address_key", address_key), ("sender_session_key", session_key)) if key]
    return max(counts, default=0)


@transaction.atomic
def question_ask(*, library: OrgUnit, category: str, text: str, name: str = "", email: str = "", phone: str = "",
                 consent: bool, patron: Patron | None = None, address: str = "", session_key: str = "") -> Question:
    """Record a question to `library`; contact data only with consent, at least one way to answer.

    With the sender's `address` and `session_key` (the web form passes them), at most
    `online.questions_per_hour` of `library` per hour from either: TooManyQuestions beyond."""
    address_key = sender_key(address) if address else ""
    session_hash = sender_key(session_key) if session_key else ""
    if address_key or session_hash:
        limit = int(setting_get(library, "online.questions_per_hour"))
        if questions_in_last_hour(address_key=address_key, session_key=session_hash) >= limit:
            raise TooManyQuestions
    text = (text or "").strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = _("Hãy nhập câu hỏi.")
    elif len(text) > MAX_QUESTION:
        errors["text"] = _("Câu hỏi dài quá %(n)s ký tự.") % {"n": MAX_QUESTION}
    if category not in QuestionCategory.values:
        errors["category"] = _("Hãy chọn lĩnh vực.")
    if not consent:
        errors["consent"] = _("Cần sự đồng ý của bạn để thư viện dùng thông tin liên hệ trả lời câu hỏi.")
    if not library.is_active:
        errors["library"] = _("Thư viện này không còn hoạt động.")
    try:
        email, phone = contact_clean(email, phone)
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    q = Question.objects.create(library=library, category=category, text=text, name=(name or "").strip()[:255],
                                email=email, phone=phone, patron=patron, consent_wording=QUESTION_CONSENT,
                                sender_address_key=address_key, sender_session_key=session_hash)
    audit(actor=patron.user if patron and patron.user else None, action="online.question_ask", obj=q,
          unit=library, object_repr=_("Câu hỏi #%(n)s") % {"n": q.pk})
    _event("question", library, category=patron.category.code if patron else "")
    return q


def _lock_question(q: Question) -> Question:
    return Question.objects.select_for_update(of=("self",)).select_related("library").get(pk=q.pk)


@transaction.atomic
def question_assign(*, actor: User, question: Question, assignee: User) -> Question:
    """Give a question to a librarian who works at its library (or to oneself)."""
    q = _lock_question(question)
    _staff(actor, q.library)
    if not has_perm(assignee, Perm.CIRC_DESK, q.library):
        raise ValidationError(_("%(u)s không làm việc tại %(l)s.") % {"u": assignee, "l": q.library.name})
    before = _snapshot(q)
    if q.state != QuestionState.ASSIGNED:  # an answered question is refused by the table
        transition(q, "question", QuestionState.ASSIGNED)
    q.assigned_to = assignee
    _save(q, actor=actor, action="online.question_assign", before=before)
    return q


@transaction.atomic
def question_answer(*, actor: User, question: Question, answer: str) -> Question:
    """Answer a question; the answer is e-mailed by the background worker and shown in the reader's account."""
    q = _lock_question(question)
    _staff(actor, q.library)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Hãy nhập câu trả lời.")})
    before = _snapshot(q)
    transition(q, "question", QuestionState.ANSWERED)
    q.answer, q.answered_at = answer, timezone.now()
    if q.assigned_to_id is None:
        q.assigned_to = actor
    _save(q, actor=actor, action="online.question_answer", before=before)
    hours = (q.answered_at - q.created_at).total_seconds() / 3600
    ActivityEvent.objects.create(kind="question_answered", unit=q.library, attributes={"hours": round(hours, 2)})
    if q.email:
        from thuvien.online.tasks import question_answer_send_task

        qid = q.pk
        transaction.on_commit(lambda: question_answer_send_task.enqueue(qid))
    return q


@transaction.atomic
def question_forward(*, actor: User, question: Question, library: OrgUnit, note: str = "") -> Question:
    """Forward an open question to another library of the same network (it goes back to that queue)."""
    q = _lock_question(question)
    _staff(actor, q.library)
    root = q.library.path.split("/")[1]
    if not library.is_active or library.path.split("/")[1] != root:
        raise ValidationError(_("Chỉ chuyển được đến một thư viện đang hoạt động trong cùng mạng lưới."))
    if library.pk == q.library_id:
        raise ValidationError(_("Câu hỏi đã ở thư viện này."))
    before = _snapshot(q)
    if q.state != QuestionState.NEW:  # an answered question stays where it was (refused by the table)
        transition(q, "question", QuestionState.NEW)
    old = q.library
    q.library, q.assigned_to = library, None
    q.save()
    changes = diff(before, _snapshot(q))
    if note:
        changes["note"] = [None, note[:500]]
    audit(actor=actor, action="online.question_forward", obj=q, unit=old, changes=changes)
    audit(actor=actor, action="online.question_forward", obj=q, unit=library, changes=changes)
    return q


_CONTACT = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+|(\+?\d[\d .-]{7,}\d)")


def anonymise(text: str) -> str:
    """The text with e-mail addresses and phone numbers replaced by "…"."""
    return _CONTACT.sub("…", text or "")


@transaction.atomic
def question_publish(*, actor: User, question: Question, public_question: str, public_answer: str) -> Question:
    """Publish an answered question in the FAQ, anonymised: the edited texts, never the contact data."""
    q = _lock_question(question)
    _staff(actor, q.library)
    pq, pa = anonymise(public_question.strip()), anonymise(public_answer.strip())
    if not pq or not pa:
        raise ValidationError(_("Câu hỏi và câu trả lời công khai không được để trống."))
    before = _snapshot(q)
    transition(q, "question", QuestionState.PUBLISHED)
    q.public_question, q.public_answer, q.published_at = pq, pa, timezone.now()
    _save(q, actor=actor, action="online.question_publish", before=before)
    return q


@transaction.atomic
def question_unpublish(*, actor: User, question: Question) -> Question:
    q = _lock_question(question)
    _staff(actor, q.library)
    before = _snapshot(q)
    transition(q, "question", QuestionState.ANSWERED)
    q.published_at = None
    _save(q, actor=actor, action="online.question_unpublish", before=before)
    return q


# -- remote copies -------------------------------------------------------------------------------

def public_digital_object(record: BibRecord) -> DigitalObject | None:
    """A public, ready digital copy of `record` (then no copy request is needed)."""
    today = timezone.localdate()
    return (DigitalObject.objects.filter(record=record, access=AccessLevel.PUBLIC, status=ObjectStatus.READY)
            .exclude(embargo_until__gt=today).order_by("pk").first())


def copyright_note(*, page_count: int, extent: int | None, share: int) -> str:
    if not extent:
        return _("Không rõ tổng số trang của tài liệu: thủ thư kiểm tra giới hạn sao chụp (không quá %(p)s%% "
                 "tác phẩm).") % {"p": share}
    percent = page_count * 100 / extent
    if percent > share:
        return _("Cảnh báo: %(n)s/%(t)s trang (%(x).0f%%) vượt quá %(p)s%% tác phẩm — chỉ sao chụp khi được phép "
                 "của chủ sở hữu quyền tác giả.") % {"n": page_count, "t": extent, "x": percent, "p": share}
    return _("%(n)s/%(t)s trang (%(x).0f%%), trong giới hạn %(p)s%% tác phẩm.") % {
        "n": page_count, "t": extent, "x": percent, "p": share}


@transaction.atomic
def copy_request_create(*, actor: User, patron: Patron, record: BibRecord, library: OrgUnit, pages: str,
                        delivery: str, copy_format: str = "a4_bw", address: str = "", zone: str = "",
                        page_count: int | None = None, note: str = "") -> CopyRequest:
    """A reader asks `library` for copies of some pages of `record`; the estimate comes from the fees table."""
    _reader(actor, patron)
    _active_reader(patron)
    errors: dict[str, str] = {}
    if public_digital_object(record) is not None:
        raise ValidationError(_("Tài liệu này có bản số công khai: bạn đọc trực tuyến miễn phí, không cần yêu cầu "
                                "sao chụp."))
    pages = (pages or "").strip()[:200]
    counted = fees.count_pages(pages)
    count = counted or page_count
    if not pages:
        errors["pages"] = _("Hãy cho biết các trang hoặc chương cần sao chụp.")
    elif not count or count < 1:
        errors["page_count"] = _("Hãy cho biết số trang (ví dụ 12-30).")
    if delivery not in DeliveryFormat.values:
        errors["delivery"] = _("Hãy chọn hình thức nhận.")
    if delivery == DeliveryFormat.POST and not address.strip():
        errors["address"] = _("Hãy nhập địa chỉ nhận bản sao.")
    if delivery == DeliveryFormat.PDF_EMAIL and not patron.email:
        errors["delivery"] = _("Tài khoản của bạn chưa có thư điện tử để nhận tệp PDF.")
    if not library.is_active or not Item.objects.filter(record=record, library__path__startswith=library.path).exists():
        errors["library"] = _("Thư viện này không có tài liệu để sao chụp.")
    if errors:
        raise ValidationError(errors)
    assert count is not None
    zone = zone if zone in PostalZone.values else PostalZone.IN_PROVINCE
    quote = fees.copy_quote(unit=library, page_count=count, delivery=delivery, copy_format=copy_format, zone=zone,
                            category=patron.category)
    extent = fees.extent_pages(record.physical)
    req = CopyRequest.objects.create(
        patron=patron, record=record, library=library, pages=pages, page_count=count, delivery=delivery,
        copy_format=copy_format, address=address.strip()[:500], zone=zone if delivery == DeliveryFormat.POST else "",
        note=note.strip(), extent_pages=extent, estimate=quote.amount,
        copyright_note=copyright_note(page_count=count, extent=extent,
                                      share=setting_get(library, "online.copyright_share")))
    audit(actor=actor, action="online.copy_create", obj=req, unit=library, changes=diff({}, _snapshot(req)))
    _event("copy_request", library, **reader_tags(patron))
    return req


def _lock_copy(req: CopyRequest) -> CopyRequest:
    return CopyRequest.objects.select_for_update(of=("self",)).select_related("library", "patron").get(pk=req.pk)


def _copy_step(req: CopyRequest, *, actor: User, staff: bool, new: str, action: str,
               change: Callable[[CopyRequest], None] | None = None) -> CopyRequest:
    r = _lock_copy(req)
    if staff:
        _staff(actor, r.library)
    else:
        _reader(actor, r.patron)
    before = _snapshot(r)
    transition(r, "copy", new)
    if change:
        change(r)
    _save(r, actor=actor, action=action, before=before)
    return r


@transaction.atomic
def copy_quote_send(*, actor: User, request: CopyRequest, amount: Decimal | None = None) -> CopyRequest:
    """Staff confirm (or correct) the fee; the reader then accepts or cancels."""
    if amount is not None and amount < 0:
        raise ValidationError({"amount": _("Mức phí không được âm.")})

    def change(r: CopyRequest) -> None:
        r.quote = r.estimate if amount is None else amount
    return _copy_step(request, actor=actor, staff=True, new=CopyState.QUOTED, action="online.copy_quote",
                      change=change)


@transaction.atomic
def copy_accept(*, actor: User, request: CopyRequest) -> CopyRequest:
    return _copy_step(request, actor=actor, staff=False, new=CopyState.ACCEPTED, action="online.copy_accept")


@transaction.atomic
def copy_cancel(*, actor: User, request: CopyRequest) -> CopyRequest:
    return _copy_step(request, actor=actor, staff=False, new=CopyState.CANCELLED, action="online.copy_cancel")


@transaction.atomic
def copy_refuse(*, actor: User, request: CopyRequest, reason: str) -> CopyRequest:
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do từ chối.")})

    def change(r: CopyRequest) -> None:
        r.reason = reason.strip()[:500]
    return _copy_step(request, actor=actor, staff=True, new=CopyState.REFUSED, action="online.copy_refuse",
                      change=change)


@transaction.atomic
def copy_pay(*, actor: User, request: CopyRequest, way: str, reference: str = "",
             amount: Decimal | None = None) -> CopyRequest:
    """Record the reader's payment (cash, or a bank transfer with its reference)."""
    errors = {}
    if way not in PaymentWay.values:
        errors["way"] = _("Hãy chọn hình thức thanh toán.")
    if way == PaymentWay.TRANSFER and not reference.strip():
        errors["reference"] = _("Chuyển khoản cần số tham chiếu.")
    if amount is not None and amount < 0:
        errors["amount"] = _("Số tiền không được âm.")
    if errors:
        raise ValidationError(errors)

    def change(r: CopyRequest) -> None:
        paid = r.quote if amount is None else amount
        if paid != r.quote:
            raise ValidationError({"amount": _("Số tiền phải bằng mức phí đã báo (%(q)s đ).") % {"q": r.quote}})
        r.paid_amount, r.payment_way, r.payment_reference = paid, way, reference.strip()[:100]
        r.paid_at = timezone.now()
    return _copy_step(request, actor=actor, staff=True, new=CopyState.PAID, action="online.copy_pay", change=change)


@transaction.atomic
def copy_attach_scan(*, actor: User, request: CopyRequest, upload: UploadedFile | None = None) -> CopyRequest:
    """Mark the copy made; a PDF delivery needs the scanned PDF (checked by its header)."""
    if upload is not None:
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise ValidationError({"scan": _("Tệp tải lên không phải là PDF.")})

    def change(r: CopyRequest) -> None:
        if r.delivery == DeliveryFormat.PDF_EMAIL and upload is None:
            raise ValidationError({"scan": _("Hãy tải lên tệp PDF đã quét.")})
        if upload is not None:
            r.scan.save(f"{r.uuid}.pdf", upload, save=False)
    return _copy_step(request, actor=actor, staff=True, new=CopyState.DONE, action="online.copy_done",
                      change=change)


@transaction.atomic
def copy_deliver(*, actor: User, request: CopyRequest) -> CopyRequest:
    """Deliver the copy; for a PDF the reader is e-mailed a link to download it from the account."""
    r = _copy_step(request, actor=actor, staff=True, new=CopyState.DELIVERED, action="online.copy_deliver")
    if r.delivery == DeliveryFormat.PDF_EMAIL:
        from thuvien.online.tasks import copy_delivered_send_task

        rid = r.pk
        transaction.on_commit(lambda: copy_delivered_send_task.enqueue(rid))
    return r


# -- postal lending -------------------------------------------------------------------------------

@transaction.atomic
def postal_request(*, actor: User, patron: Patron, record: BibRecord, library: OrgUnit, address: str = "",
                   culture_point: OrgUnit | None = None, zone: str = PostalZone.IN_PROVINCE) -> PostalLoan:
    """A reader asks `library` to send a copy of `record` to an address or a post-office culture point."""
    _reader(actor, patron)
    _active_reader(patron)
    errors = {}
    if culture_point is None and not address.strip():
        errors["address"] = _("Hãy nhập địa chỉ nhận hoặc chọn một điểm bưu điện văn hoá.")
    if culture_point is not None and culture_point.kind.code != "post_office_point":
        errors["culture_point"] = _("Đơn vị đã chọn không phải điểm bưu điện văn hoá.")
    if not Item.objects.filter(record=record, library__path__startswith=library.path).exists():
        errors["library"] = _("Thư viện này không có bản nào của tài liệu.")
    if PostalLoan.objects.filter(patron=patron, record=record, state__in=[PostalState.REQUESTED,
                                                                          PostalState.PACKED]).exists():
        errors["record"] = _("Bạn đã yêu cầu gửi tài liệu này; hãy chờ thư viện xử lý.")
    if errors:
        raise ValidationError(errors)
    p = PostalLoan.objects.create(patron=patron, record=record, library=library, culture_point=culture_point,
                                  address="" if culture_point else address.strip()[:500],
                                  zone=zone if zone in PostalZone.values else PostalZone.IN_PROVINCE)
    audit(actor=actor, action="online.postal_request", obj=p, unit=library, changes=diff({}, _snapshot(p)))
    _event("postal_request", library, **reader_tags(patron))
    return p


def _lock_postal(p: PostalLoan) -> PostalLoan:
    return (PostalLoan.objects.select_for_update(of=("self",))
            .select_related("library", "patron__category", "patron__home_library", "item", "culture_point").get(pk=p.pk))


@transaction.atomic
def postal_pack(*, actor: User, postal: PostalLoan, item: Item, weight_g: int) -> PostalLoan:
    """Pick a copy for the parcel and price the postage from the fees table (exempt categories pay nothing)."""
    p = _lock_postal(postal)
    _staff(actor, p.library)
    if item.record_id != p.record_id or not item.library.path.startswith(p.library.path):
        raise ValidationError({"item": _("Bản %(b)s không thuộc tài liệu này ở thư viện này.") % {"b": item.barcode}})
    if item.status != ItemStatus.AVAILABLE:
        raise ValidationError({"item": _("Bản %(b)s không sẵn sàng (%(s)s).") % {
            "b": item.barcode, "s": item.get_status_display()}})
    if not 1 <= weight_g <= 30000:
        raise ValidationError({"weight_g": _("Khối lượng bưu gửi phải từ 1 đến 30.000 gam.")})
    before = _snapshot(p)
    transition(p, "postal", PostalState.PACKED)
    p.item, p.weight_g = item, weight_g
    p.exempt = fees.is_exempt(unit=p.library, service=FeeService.POSTAGE, category=p.patron.category)
    p.postage = Decimal(0) if p.exempt else (fees.postage_for(unit=p.library, zone=p.zone, weight_g=weight_g)
                                             or Decimal(0))
    _save(p, actor=actor, action="online.postal_pack", before=before)
    return p


@transaction.atomic
def postal_ship(*, actor: User, postal: PostalLoan, tracking_number: str, now: dt.datetime | None = None) -> PostalLoan:
    """Hand the parcel to the post: the loan starts now (a real checkout at the item's library), due date
    extended by the `online.postal_days` setting. If the checkout is refused nothing changes."""
    p = _lock_postal(postal)
    _staff(actor, p.library)
    tracking_number = re.sub(r"\s", "", tracking_number or "").upper()
    if not re.fullmatch(r"[A-Z0-9]{6,40}", tracking_number):
        raise ValidationError({"tracking_number": _("Mã bưu gửi không hợp lệ (6–40 chữ và số).")})
    before = _snapshot(p)
    transition(p, "postal", PostalState.SHIPPED)
    assert p.item is not None
    item = p.item
    loan = circ.loan_checkout(actor=actor, item=item, patron=p.patron, desk=item.library, now=now)
    days = int(setting_get(p.library, "online.postal_days"))
    if days:
        stamp = timezone.now()
        Loan.objects.filter(pk=loan.pk).update(due_at=loan.due_at + dt.timedelta(days=days), updated_at=stamp)
    p.tracking_number, p.loan, p.shipped_at = tracking_number, loan, now or timezone.now()
    _save(p, actor=actor, action="online.postal_ship", before=before)
    return p


@transaction.atomic
def postal_return_sent(*, actor: User, postal: PostalLoan, tracking_number: str = "") -> PostalLoan:
    """The reader (or a culture point) has posted the copy back."""
    p = _lock_postal(postal)
    _reader(actor, p.patron)
    before = _snapshot(p)
    transition(p, "postal", PostalState.RETURN_SENT)
    p.return_tracking = re.sub(r"\s", "", tracking_number or "").upper()[:40]
    _save(p, actor=actor, action="online.postal_return_sent", before=before)
    return p


@transaction.atomic
def postal_receive(*, actor: User, postal: PostalLoan, desk: OrgUnit | None = None) -> PostalLoan:
    """The parcel came back: a real check-in at `desk` (default the postal loan's library)."""
    p = _lock_postal(postal)
    _staff(actor, p.library)
    before = _snapshot(p)
    transition(p, "postal", PostalState.RETURNED)
    assert p.item is not None
    circ.loan_checkin(actor=actor, item=p.item, desk=desk or p.item.library)
    p.returned_at = timezone.now()
    _save(p, actor=actor, action="online.postal_return", before=before)
    return p


@transaction.atomic
def postal_cancel(*, actor: User, postal: PostalLoan) -> PostalLoan:
    p = _lock_postal(postal)
    _reader(actor, p.patron)
    before = _snapshot(p)
    transition(p, "postal", PostalState.CANCELLED)
    _save(p, actor=actor, action="online.postal_cancel", before=before)
    return p


@transaction.atomic
def postal_refuse(*, actor: User, postal: PostalLoan, reason: str) -> PostalLoan:
    p = _lock_postal(postal)
    _staff(actor, p.library)
    if not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do từ chối.")})
    before = _snapshot(p)
    transition(p, "postal", PostalState.REFUSED)
    p.reason = reason.strip()[:500]
    _save(p, actor=actor, action="online.postal_refuse", before=before)
    return p


# -- purchase suggestions -------------------------------------------------------------------------

@transaction.atomic
def suggestion_create(*, actor: User, patron: Patron, library: OrgUnit, title: str, author: str = "",
                      publisher: str = "", year: int | None = None, isbn: str = "", reason: str = "") -> Suggestion:
    """A reader suggests a title for `library` to acquire."""
    _reader(actor, patron)
    errors = {}
    if not title.strip():
        errors["title"] = _("Hãy nhập nhan đề.")
    isbn = re.sub(r"[\s-]", "", isbn or "").upper()
    if isbn and not re.fullmatch(r"\d{9}[\dX]|\d{13}", isbn):
        errors["isbn"] = _("ISBN phải có 10 hoặc 13 chữ số.")
    this_year = timezone.localdate().year
    if year is not None and not 1400 <= year <= this_year + 1:
        errors["year"] = _("Năm xuất bản không hợp lệ.")
    if errors:
        raise ValidationError(errors)
    s = Suggestion.objects.create(patron=patron, library=library, title=title.strip()[:500], author=author.strip()[:255],
                                  publisher=publisher.strip()[:255], year=year, isbn=isbn, reason=reason.strip())
    audit(actor=actor, action="online.suggestion_create", obj=s, unit=library)
    _event("suggestion", library, **reader_tags(patron))
    return s


@transaction.atomic
def suggestion_decide(*, actor: User, suggestion: Suggestion, accept: bool, reason: str = "") -> Suggestion:
    """Accept a suggestion ("accepted — to order") or decline it with a reason the reader sees."""
    s = Suggestion.objects.select_for_update(of=("self",)).select_related("library").get(pk=suggestion.pk)
    _staff(actor, s.library)
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Hãy ghi lý do không bổ sung.")})
    before = _snapshot(s)
    transition(s, "suggestion", SuggestionState.ACCEPTED if accept else SuggestionState.DECLINED)
    s.decline_reason = "" if accept else reason.strip()[:500]
    s.decided_at = timezone.now()
    _save(s, actor=actor, action="online.suggestion_accept" if accept else "online.suggestion_decline",
          before=before)
    return s
