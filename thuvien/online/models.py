"""Online services of the portal (issue 17): the fees table, ask a librarian, remote copies, postal
lending and purchase suggestions. Every state column changes only through `online/states.py`."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from thuvien.catalog.models import BibRecord, Item
from thuvien.circulation.models import Loan
from thuvien.core.models import OrgUnit
from thuvien.patrons.models import Patron, PatronCategory


class FeeService(models.TextChoices):
    CARD = "card", _("Làm thẻ bạn đọc")
    COPY_PAGE = "copy_page", _("Sao chụp (mỗi trang)")
    SCAN_PAGE = "scan_page", _("Quét tài liệu (mỗi trang)")
    POSTAGE = "postage", _("Cước bưu chính")
    # Library Law 2019, Art. 42: free of charge, a fee can never be set for them
    ONSITE_READING = "onsite_reading", _("Đọc tại chỗ")
    LENDING = "lending", _("Mượn về theo quy định")
    CATALOGUE_SEARCH = "catalogue_search", _("Tra cứu thông tin, mục lục")
    GUIDANCE = "guidance", _("Hướng dẫn sử dụng thư viện")


FREE_SERVICES = frozenset({FeeService.ONSITE_READING, FeeService.LENDING, FeeService.CATALOGUE_SEARCH,
                           FeeService.GUIDANCE})


class CopyFormat(models.TextChoices):
    A4_BW = "a4_bw", _("A4 đen trắng")
    A4_COLOR = "a4_color", _("A4 màu")
    PDF = "pdf", _("Tệp PDF")


class PostalZone(models.TextChoices):
    IN_PROVINCE = "in_province", _("Nội tỉnh")
    OUT_PROVINCE = "out_province", _("Ngoại tỉnh")


class Fee(models.Model):
    """One line of a unit's fees table. A unit without lines for a service uses its nearest ancestor's."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="fees", verbose_name=_("đơn vị"))
    service = models.CharField(_("dịch vụ"), max_length=20, choices=FeeService.choices)
    category = models.ForeignKey(PatronCategory, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("đối tượng bạn đọc"))
    copy_format = models.CharField(_("định dạng"), max_length=12, choices=CopyFormat.choices, blank=True)
    zone = models.CharField(_("vùng"), max_length=16, choices=PostalZone.choices, blank=True)
    weight_max_g = models.PositiveIntegerField(_("khối lượng đến (gam)"), null=True, blank=True)
    amount = models.DecimalField(_("mức thu (đồng)"), max_digits=12, decimal_places=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit", "service", "copy_format", "zone", "weight_max_g", "pk"]
        verbose_name = _("mức phí")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="online_fee_not_negative"),
            models.CheckConstraint(condition=~Q(service__in=sorted(FREE_SERVICES)) | Q(amount=0),
                                   name="online_fee_free_services_free"),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} {self.amount}"


class FeeExemption(models.Model):
    """A reader category that pays nothing for a service at a unit (and its subtree, unless overridden)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="fee_exemptions",
                             verbose_name=_("đơn vị"))
    service = models.CharField(_("dịch vụ"), max_length=20, choices=FeeService.choices)
    category = models.ForeignKey(PatronCategory, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("đối tượng bạn đọc"))
    note = models.CharField(_("căn cứ"), max_length=255, blank=True)

    class Meta:
        ordering = ["unit", "service", "category"]
        constraints = [models.UniqueConstraint(fields=["unit", "service", "category"], name="online_exemption_once")]

    def __str__(self) -> str:
        return f"{self.get_service_display()} — {self.category}"


class QuestionCategory(models.TextChoices):
    FIND = "find", _("Tìm tài liệu, thông tin")
    SERVICE = "service", _("Dịch vụ, thẻ bạn đọc")
    RESEARCH = "research", _("Hỗ trợ nghiên cứu")
    OTHER = "other", _("Khác")


class QuestionState(models.TextChoices):
    NEW = "new", _("Mới")
    ASSIGNED = "assigned", _("Đang xử lý")
    ANSWERED = "answered", _("Đã trả lời")
    PUBLISHED = "published", _("Đã đăng công khai")


class Question(models.Model):
    """A question to the librarians of `library` (by a reader or an anonymous visitor)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("thư viện"))
    category = models.CharField(_("lĩnh vực"), max_length=12, choices=QuestionCategory.choices,
                                default=QuestionCategory.FIND)
    text = models.TextField(_("câu hỏi"))
    patron = models.ForeignKey(Patron, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("họ và tên"), max_length=255, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    consent_wording = models.TextField(blank=True)
    state = models.CharField(_("trạng thái"), max_length=12, choices=QuestionState.choices,
                             default=QuestionState.NEW, db_index=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("người xử lý"))
    answer = models.TextField(_("trả lời"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_sent_at = models.DateTimeField(null=True, blank=True)
    public_question = models.TextField(_("câu hỏi công khai"), blank=True)
    public_answer = models.TextField(_("trả lời công khai"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Who sent it, for the hourly limit only: keyed hashes (HMAC with SECRET_KEY) of the sender's
    # address and session, never the address itself. Counted in the database, so the limit holds
    # across every web process and app server.
    sender_address_key = models.CharField(max_length=32, blank=True, editable=False)
    sender_session_key = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["library", "state"], name="online_question_queue"),
                   models.Index(fields=["sender_address_key", "created_at"], name="online_question_sender_addr"),
                   models.Index(fields=["sender_session_key", "created_at"], name="online_question_sender_sess")]
        constraints = [models.CheckConstraint(condition=~Q(email="", phone=""), name="online_question_contact")]

    def __str__(self) -> str:
        return self.text[:60]


class DeliveryFormat(models.TextChoices):
    PDF_EMAIL = "pdf_email", _("Tệp PDF qua thư điện tử")
    POST = "post", _("Bản in gửi qua bưu điện")
    PICKUP = "pickup", _("Bản in nhận tại thư viện")


class CopyState(models.TextChoices):
    RECEIVED = "received", _("Đã nhận yêu cầu")
    QUOTED = "quoted", _("Đã báo phí")
    ACCEPTED = "accepted", _("Bạn đọc đồng ý")
    PAID = "paid", _("Đã thanh toán")
    DONE = "done", _("Đã sao chụp")
    DELIVERED = "delivered", _("Đã giao")
    CANCELLED = "cancelled", _("Đã huỷ")
    REFUSED = "refused", _("Thư viện từ chối")


class PaymentWay(models.TextChoices):
    CASH = "cash", _("Tiền mặt")
    TRANSFER = "transfer", _("Chuyển khoản")


class CopyRequest(models.Model):
    """A reader's request for copies of some pages of a record, served by `library`."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patron = models.ForeignKey(Patron, on_delete=models.PROTECT, related_name="copy_requests")
    record = models.ForeignKey(BibRecord, on_delete=models.PROTECT, related_name="+", verbose_name=_("tài liệu"))
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("thư viện"))
    pages = models.CharField(_("trang hoặc chương"), max_length=200)
    page_count = models.PositiveIntegerField(_("số trang"))
    delivery = models.CharField(_("hình thức nhận"), max_length=12, choices=DeliveryFormat.choices)
    copy_format = models.CharField(_("định dạng"), max_length=12, choices=CopyFormat.choices,
                                   default=CopyFormat.A4_BW)
    address = models.CharField(_("địa chỉ nhận"), max_length=500, blank=True)
    zone = models.CharField(_("vùng"), max_length=16, choices=PostalZone.choices, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    extent_pages = models.PositiveIntegerField(null=True, blank=True)  # the record's extent, where known
    copyright_note = models.CharField(_("lưu ý bản quyền"), max_length=500, blank=True)
    state = models.CharField(_("trạng thái"), max_length=12, choices=CopyState.choices, default=CopyState.RECEIVED,
                             db_index=True)
    estimate = models.DecimalField(max_digits=12, decimal_places=0, default=0)
    quote = models.DecimalField(_("phí"), max_digits=12, decimal_places=0, null=True, blank=True)
    paid_amount = models.DecimalField(max_digits=12, decimal_places=0, null=True, blank=True)
    payment_way = models.CharField(max_length=10, choices=PaymentWay.choices, blank=True)
    payment_reference = models.CharField(_("số tham chiếu"), max_length=100, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    scan = models.FileField(upload_to="online/copies/", blank=True)
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["library", "state"], name="online_copy_queue")]

    def __str__(self) -> str:
        return f"{self.record} · {self.pages}"


class PostalState(models.TextChoices):
    REQUESTED = "requested", _("Đã nhận yêu cầu")
    PACKED = "packed", _("Đã đóng gói")
    SHIPPED = "shipped", _("Đã giao bưu điện (đang mượn)")
    RETURN_SENT = "return_sent", _("Bạn đọc đã gửi trả")
    RETURNED = "returned", _("Đã trả")
    CANCELLED = "cancelled", _("Đã huỷ")
    REFUSED = "refused", _("Thư viện từ chối")


class PostalLoan(models.Model):
    """A loan sent by post to an address or a post-office culture point; the circulation loan starts at
    hand-over to the post and ends with a real check-in."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patron = models.ForeignKey(Patron, on_delete=models.PROTECT, related_name="postal_loans")
    record = models.ForeignKey(BibRecord, on_delete=models.PROTECT, related_name="+", verbose_name=_("tài liệu"))
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("thư viện"))
    culture_point = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("điểm bưu điện văn hoá"))
    address = models.CharField(_("địa chỉ nhận"), max_length=500, blank=True)
    zone = models.CharField(_("vùng"), max_length=16, choices=PostalZone.choices, default=PostalZone.IN_PROVINCE)
    state = models.CharField(_("trạng thái"), max_length=12, choices=PostalState.choices,
                             default=PostalState.REQUESTED, db_index=True)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    weight_g = models.PositiveIntegerField(_("khối lượng (gam)"), null=True, blank=True)
    postage = models.DecimalField(_("cước"), max_digits=12, decimal_places=0, null=True, blank=True)
    exempt = models.BooleanField(default=False)
    tracking_number = models.CharField(_("mã bưu gửi"), max_length=40, blank=True)
    return_tracking = models.CharField(_("mã bưu gửi khi trả"), max_length=40, blank=True)
    loan = models.ForeignKey(Loan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("lý do"), max_length=500, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["library", "state"], name="online_postal_queue")]
        constraints = [models.CheckConstraint(condition=~Q(address="", culture_point__isnull=True),
                                              name="online_postal_destination")]

    def __str__(self) -> str:
        return f"{self.record} → {self.destination}"

    @property
    def destination(self) -> str:
        if self.culture_point_id:
            point = self.culture_point
            return f"{point.name}, {point.address}".strip(", ") if point else ""
        return self.address


class SuggestionState(models.TextChoices):
    NEW = "new", _("Chờ xem xét")
    ACCEPTED = "accepted", _("Đã nhận — sẽ đặt mua")
    DECLINED = "declined", _("Không bổ sung")


class Suggestion(models.Model):
    """A reader's purchase suggestion to a library."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patron = models.ForeignKey(Patron, on_delete=models.PROTECT, related_name="suggestions")
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("thư viện"))
    title = models.CharField(_("nhan đề"), max_length=500)
    author = models.CharField(_("tác giả"), max_length=255, blank=True)
    publisher = models.CharField(_("nhà xuất bản"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(_("năm xuất bản"), null=True, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=20, blank=True)
    reason = models.TextField(_("lý do đề nghị"), blank=True)
    state = models.CharField(_("trạng thái"), max_length=10, choices=SuggestionState.choices,
                             default=SuggestionState.NEW, db_index=True)
    decline_reason = models.CharField(_("lý do không bổ sung"), max_length=500, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title
