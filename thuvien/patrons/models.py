"""Readers (patrons): cards, categories, blocks, per-purpose consent and data-subject requests.

Personal data follows Law 91/2025/QH15 and Decree 356/2025/NĐ-CP: consent is stored per purpose
with its wording and time, identity-document images are never stored (only the number and a
"verified" flag), and reading history is kept only with the reader's explicit consent.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from thuvien.core.models import OrgUnit


class PatronCategory(models.Model):
    """A reader category (adult, child, pupil...): data that the loan policy matrix keys on."""

    code = models.SlugField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120, blank=True)
    is_child = models.BooleanField(_("trẻ em (cần người giám hộ đồng ý)"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("đối tượng bạn đọc")
        verbose_name_plural = _("đối tượng bạn đọc")

    def __str__(self) -> str:
        return self.name


class PatronStatus(models.TextChoices):
    PENDING = "pending", _("Chờ duyệt")
    ACTIVE = "active", _("Đang hoạt động")
    SUSPENDED = "suspended", _("Tạm khoá")
    ERASED = "erased", _("Đã xoá dữ liệu")


class Gender(models.TextChoices):
    FEMALE = "f", _("Nữ")
    MALE = "m", _("Nam")
    OTHER = "o", _("Khác")
    UNSPECIFIED = "", _("Không nêu")


class Patron(models.Model):
    """A reader with a library card. `user` is the portal login (card number or e-mail + password)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    card_number = models.CharField(_("số thẻ"), max_length=32, unique=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="patron")
    full_name = models.CharField(_("họ và tên"), max_length=255)
    name_folded = models.CharField(max_length=255, db_index=True, editable=False, default="")
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    gender = models.CharField(_("giới tính"), max_length=1, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(_("dân tộc"), max_length=60, blank=True)
    # The CCCD number itself is not kept (patrons/personal.py): a keyed hash for duplicate checks and
    # its last four digits for display.
    id_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    id_last4 = models.CharField(_("4 số cuối CCCD"), max_length=4, blank=True)
    id_verified = models.BooleanField(_("đã kiểm tra giấy tờ"), default=False)
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("thư điện tử"), blank=True, db_index=True)
    category = models.ForeignKey(PatronCategory, on_delete=models.PROTECT, related_name="patrons",
                                 verbose_name=_("đối tượng"))
    home_library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="patrons",
                                     verbose_name=_("thư viện đăng ký"))
    expires_on = models.DateField(_("ngày hết hạn thẻ"))
    photo = models.FileField(_("ảnh chân dung"), upload_to="patrons/photos/", blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)
    guardian_name = models.CharField(_("người giám hộ"), max_length=255, blank=True)
    guardian_phone = models.CharField(_("điện thoại người giám hộ"), max_length=20, blank=True)
    status = models.CharField(_("trạng thái"), max_length=12, choices=PatronStatus.choices,
                              default=PatronStatus.ACTIVE, db_index=True)
    keep_history = models.BooleanField(_("lưu lịch sử đọc"), default=False)  # mirrors the consent
    # The PIN typed at self-check kiosks (SIP2 AD, the HTTP kiosk API): 4-6 digits, kept only as a
    # Django password hash, separate from the portal password. Blank = no PIN set.
    pin_hash = models.CharField(_("mã PIN (đã băm)"), max_length=128, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name_folded", "pk"]
        verbose_name = _("bạn đọc")
        verbose_name_plural = _("bạn đọc")
        indexes = [models.Index(fields=["name_folded", "birth_date"], name="patron_name_birth")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.card_number})"

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class BlockReason(models.TextChoices):
    MANUAL = "manual", _("Khoá thủ công")
    LOST_CARD = "lost_card", _("Mất thẻ")
    DAMAGE = "damage", _("Làm hỏng tài liệu")


class PatronBlock(models.Model):
    """A block put on a reader by staff (computed blocks such as overdue loans are not stored)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="blocks")
    reason = models.CharField(_("lý do"), max_length=20, choices=BlockReason.choices, default=BlockReason.MANUAL)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["patron"], condition=Q(lifted_at__isnull=True), name="patronblock_active")]

    def __str__(self) -> str:
        return f"{self.patron_id}:{self.reason}"


class ConsentPurpose(models.TextChoices):
    SERVICE = "service", _("Xử lý dữ liệu cá nhân để cấp thẻ và phục vụ mượn trả")
    READING_HISTORY = "reading_history", _("Lưu lịch sử đọc (dữ liệu nhạy cảm)")
    NOTICES_EMAIL = "notices_email", _("Nhận thông báo qua thư điện tử")
    NOTICES_SMS = "notices_sms", _("Nhận thông báo qua tin nhắn")


class ConsentGiver(models.TextChoices):
    SELF = "self", _("Chính bạn đọc")
    GUARDIAN = "guardian", _("Người giám hộ")


class Consent(models.Model):
    """One act of consent (or its withdrawal) for one purpose, with the exact wording shown and when.

    Rows are never edited except to set `withdrawn_at`; a new consent is a new row.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=32, choices=ConsentPurpose.choices)
    wording = models.TextField()
    wording_version = models.CharField(max_length=20)
    given_by = models.CharField(max_length=10, choices=ConsentGiver.choices, default=ConsentGiver.SELF)
    guardian_name = models.CharField(max_length=255, blank=True)
    child_agreed = models.BooleanField(default=False)  # a child of 7 or more agreed too
    channel = models.CharField(max_length=20, default="desk")  # desk | portal
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["patron", "purpose", "-given_at"]
        constraints = [
            models.UniqueConstraint(fields=["patron", "purpose"], condition=Q(withdrawn_at__isnull=True),
                                    name="consent_one_active_per_purpose"),
        ]

    def __str__(self) -> str:
        return f"{self.patron_id}:{self.purpose}"


class DataRequestKind(models.TextChoices):
    EXPORT = "export", _("Xuất dữ liệu")
    CORRECT = "correct", _("Đính chính dữ liệu")
    DELETE = "delete", _("Xoá dữ liệu")
    WITHDRAW = "withdraw", _("Rút lại sự đồng ý")


class DataRequestStatus(models.TextChoices):
    OPEN = "open", _("Đang chờ xử lý")
    DONE = "done", _("Đã xử lý")
    REFUSED = "refused", _("Từ chối")


class DataRequest(models.Model):
    """A data-subject request from a reader (Law 91/2025/QH15): kept as evidence of how it was handled."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="data_requests")
    kind = models.CharField(max_length=12, choices=DataRequestKind.choices)
    details = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=DataRequestStatus.choices, default=DataRequestStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.patron_id}:{self.kind}:{self.status}"


class BreachReport(models.Model):
    """A personal-data breach (Decree 356/2025/NĐ-CP): the authority must be told within 72 hours of
    its discovery; the register keeps what happened and when it was reported."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    discovered_at = models.DateTimeField(_("phát hiện lúc"))
    description = models.TextField(_("mô tả sự cố"))
    data_affected = models.CharField(_("loại dữ liệu bị ảnh hưởng"), max_length=500, blank=True)
    people_affected = models.PositiveIntegerField(_("số người bị ảnh hưởng (ước tính)"), default=0)
    measures = models.TextField(_("biện pháp đã làm"), blank=True)
    notified_at = models.DateTimeField(_("đã thông báo cơ quan chức năng lúc"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-discovered_at"]

    def __str__(self) -> str:
        return f"{self.discovered_at:%Y-%m-%d} {self.description[:40]}"
