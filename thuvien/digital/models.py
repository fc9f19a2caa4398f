"""Digital objects: a scanned volume (or born-digital file) with its pages as ordered rows.

Access is a property of the object (one decision per object, see `access.py`); a page may only
narrow it with its own level (per-file override).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from thuvien.catalog.models import BibRecord
from thuvien.core.models import OrgUnit


class AccessLevel(models.TextChoices):
    PUBLIC = "public", _("Công khai")
    REGISTERED = "registered", _("Bạn đọc đã đăng ký")
    IN_LIBRARY = "in_library", _("Chỉ đọc tại thư viện")
    STAFF = "staff", _("Chỉ cán bộ thư viện")


# Most open first: a page override may only move to the right.
ACCESS_ORDER = [AccessLevel.PUBLIC, AccessLevel.REGISTERED, AccessLevel.IN_LIBRARY, AccessLevel.STAFF]


class OcrProfile(models.TextChoices):
    VIE = "vie", _("Tiếng Việt và chữ dân tộc theo chữ Quốc ngữ (vie)")
    VIE_ENG = "vie+eng", _("Không dấu: Việt + Anh (vie+eng)")
    HAN = "chi_tra", _("Chữ Hán (thử nghiệm, chi_tra)")
    NONE = "none", _("Không nhận dạng (chép tay, ví dụ chữ Nôm)")


class ObjectStatus(models.TextChoices):
    NEW = "new", _("Mới tạo")
    PROCESSING = "processing", _("Đang xử lý")
    READY = "ready", _("Sẵn sàng")
    FAILED = "failed", _("Lỗi")


class Collection(models.Model):
    """A digital collection (e.g. local-history documents); also an OAI-PMH set."""

    code = models.SlugField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("thư viện"))
    description = models.TextField(_("mô tả"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bộ sưu tập số")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class DigitalObject(models.Model):
    """One digitised volume: attached to a catalogue record or described by its own DC Terms."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    record = models.ForeignKey(BibRecord, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="digital_objects", verbose_name=_("biểu ghi"))
    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="digital_objects",
                                   verbose_name=_("bộ sưu tập"))
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("thư viện"))
    title = models.TextField(_("nhan đề"))
    dcterms = models.JSONField(_("Dublin Core Terms"), default=dict, blank=True)  # {"creator": [...], ...}
    language = models.CharField(_("ngôn ngữ (ISO 639-3)"), max_length=3, default="vie")
    ocr_profile = models.CharField(_("nhận dạng chữ"), max_length=12, choices=OcrProfile.choices,
                                   default=OcrProfile.VIE)
    rights = models.URLField(_("quyền (URI)"), default="http://rightsstatements.org/vocab/InC-EDU/1.0/")
    access = models.CharField(_("mức truy cập"), max_length=12, choices=AccessLevel.choices,
                              default=AccessLevel.PUBLIC)
    embargo_until = models.DateField(_("hạn chế đến ngày"), null=True, blank=True)
    right_to_left = models.BooleanField(_("đọc từ phải sang trái (Hán Nôm)"), default=False)
    status = models.CharField(_("trạng thái"), max_length=12, choices=ObjectStatus.choices,
                              default=ObjectStatus.NEW)
    # Readers see an object only when it is ready AND published (selectors.SHOWN). Objects made outside a
    # digitisation project are published from the start; a project's workflow clears the flag when it takes
    # the object in and sets it at its "published" step (thuvien.digitisation.states).
    published = models.BooleanField(_("đã công bố"), default=True)
    pages_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    has_pdf = models.BooleanField(default=False)
    manifest_cache = models.TextField(blank=True, editable=False)  # JSON; emptied on every change
    # Preservation (OCFL 1.1 copy of the masters, see ocfl.py): head version (0 = not yet preserved),
    # bytes of the current masters, and the result of the last fixity check. A damaged object is
    # never served as good until it is repaired.
    ocfl_version = models.PositiveIntegerField(_("phiên bản lưu trữ OCFL"), default=0)
    master_bytes = models.PositiveBigIntegerField(_("dung lượng bản gốc"), default=0)
    damaged = models.BooleanField(_("bản lưu trữ bị hỏng"), default=False, db_index=True)
    fixity_checked_at = models.DateTimeField(_("kiểm tra toàn vẹn lần cuối"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("tài liệu số")
        indexes = [models.Index(fields=["record", "status"])]

    def __str__(self) -> str:
        return self.title


class Page(models.Model):
    """One page (image file) of an object, in reading order; `text` is editable (transcription)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    obj = models.ForeignKey(DigitalObject, on_delete=models.CASCADE, related_name="pages")
    order = models.PositiveIntegerField()
    label = models.CharField(_("nhãn"), max_length=120, blank=True)
    source_name = models.CharField(_("tên tệp gốc"), max_length=500)
    sha256 = models.CharField(max_length=64, db_index=True)
    mime = models.CharField(max_length=40)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    access = models.CharField(_("mức truy cập riêng"), max_length=12, choices=AccessLevel.choices, blank=True)
    text = models.TextField(_("văn bản"), blank=True)
    text_folded = models.TextField(blank=True, editable=False)
    text_edited = models.BooleanField(default=False)
    # [[word, x, y, w, h, folded], ...] from ALTO, as compact JSON text (decoded with orjson only
    # for pages that hold a searched phrase: a JSONField's json.loads was most of search's time)
    words = models.TextField(default="", blank=True, editable=False)
    processed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["obj", "order"]
        constraints = [models.UniqueConstraint(fields=["obj", "order"], name="digital_page_order_unique")]

    def __str__(self) -> str:
        return f"{self.obj_id}#{self.order}"


class Download(models.Model):
    """Who downloaded which delivery PDF when: only for the daily quota; pruned after two days."""

    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="+")
    obj = models.ForeignKey(DigitalObject, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.user_id}:{self.obj_id}"


class FixityCheck(models.Model):
    """One re-reading of an object's preservation copy: every content file against the inventory."""

    class Result(models.TextChoices):
        OK = "ok", _("Nguyên vẹn")
        DAMAGED = "damaged", _("Bị hỏng")
        REPAIRED = "repaired", _("Đã khôi phục")

    obj = models.ForeignKey(DigitalObject, on_delete=models.CASCADE, related_name="fixity_checks")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    result = models.CharField(_("kết quả"), max_length=10, choices=Result.choices)
    details = models.JSONField(_("chi tiết kiểm tra"), default=list, blank=True)  # the problems found, one string each
    files = models.PositiveIntegerField(default=0)
    bytes = models.PositiveBigIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("lần kiểm tra toàn vẹn")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.obj_id}:{self.result}"
