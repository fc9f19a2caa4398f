"""Bibliographic and authority records (full MARC21 kept losslessly) and items/holdings."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from thuvien.core.models import JobRecord, OrgUnit

if TYPE_CHECKING:
    from thuvien.catalog.labels import Layout


class BibRecord(models.Model):
    """A bibliographic record of the union catalogue. `marc` holds the whole record as
    MARC-in-JSON (leader + fields in order); the other columns are extracted from it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # 001 lookups use the (001, 003) index below; searching by it goes through the search index.
    control_number = models.CharField(_("số kiểm soát (001)"), max_length=64, blank=True)
    control_number_source = models.CharField(_("nguồn số kiểm soát (003)"), max_length=64, blank=True)
    marc = models.JSONField(_("biểu ghi MARC21"))
    leader = models.CharField(max_length=24)
    title = models.TextField(_("nhan đề"), blank=True)
    title_sort = models.TextField(blank=True, db_index=True)  # core.text.collation_key(title)
    responsibility = models.TextField(_("thông tin trách nhiệm"), blank=True)
    main_author = models.CharField(_("tác giả chính"), max_length=500, blank=True)
    authors = models.JSONField(_("tác giả"), default=list, blank=True)
    subjects = models.JSONField(_("chủ đề"), default=list, blank=True)
    # No index on ddc: classification is searched and faceted through the search index.
    ddc = models.CharField(_("DDC"), max_length=64, blank=True)
    call_number = models.CharField(_("ký hiệu xếp giá"), max_length=128, blank=True)
    isbns = models.JSONField(_("ISBN"), default=list, blank=True)  # normalised ISBN-13 strings
    issns = models.JSONField(_("ISSN"), default=list, blank=True)
    language = models.CharField(_("ngôn ngữ"), max_length=3, blank=True)
    languages = models.JSONField(default=list, blank=True)
    year = models.IntegerField(_("năm xuất bản"), null=True, blank=True)
    publisher = models.CharField(_("nhà xuất bản"), max_length=500, blank=True)
    place = models.CharField(_("nơi xuất bản"), max_length=255, blank=True)
    edition = models.CharField(_("lần xuất bản"), max_length=255, blank=True)
    series = models.JSONField(_("tùng thư"), default=list, blank=True)
    physical = models.CharField(_("mô tả vật lý"), max_length=500, blank=True)
    notes = models.JSONField(_("phụ chú"), default=list, blank=True)
    material_type = models.CharField(_("loại tài liệu"), max_length=32, blank=True, db_index=True)
    links = models.JSONField(_("liên kết"), default=list, blank=True)
    owner = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_records",
        verbose_name=_("đơn vị tạo"),
    )
    provenance = models.CharField(_("nguồn biểu ghi"), max_length=255, blank=True)
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_index=False)

    class Meta:
        verbose_name = _("biểu ghi thư mục")
        verbose_name_plural = _("biểu ghi thư mục")
        indexes = [models.Index(fields=["control_number", "control_number_source"], name="bib_001_003")]

    def __str__(self) -> str:
        return self.title or f"#{self.pk}"


class AuthorityRecord(models.Model):
    """An authority record: heading (1XX), see-from variants (4XX) and see-also links (5XX)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    control_number = models.CharField(max_length=64, blank=True, db_index=True)
    control_number_source = models.CharField(max_length=64, blank=True)
    heading_tag = models.CharField(max_length=3)
    heading = models.TextField()
    heading_folded = models.TextField(db_index=True)  # core.text.fold(heading)
    variants = models.JSONField(default=list, blank=True)
    see_also = models.JSONField(default=list, blank=True)
    marc = models.JSONField()
    is_deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("biểu ghi tính nhất quán")
        verbose_name_plural = _("biểu ghi tính nhất quán")

    def __str__(self) -> str:
        return self.heading


class ItemType(models.Model):
    """A kind of item for loan rules (book, periodical, reference, audiovisual...): data."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120, blank=True)
    loanable = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class ItemStatus(models.TextChoices):
    AVAILABLE = "available", _("Sẵn sàng")
    ON_LOAN = "on_loan", _("Đang cho mượn")
    IN_TRANSIT = "in_transit", _("Đang chuyển")
    ON_HOLD_SHELF = "on_hold_shelf", _("Chờ bạn đọc nhận")
    IN_PROCESSING = "in_processing", _("Đang xử lý")
    LOST = "lost", _("Mất")
    DAMAGED = "damaged", _("Hư hỏng")
    MISSING = "missing", _("Thất lạc")
    CLAIMED_RETURNED = "claimed_returned", _("Bạn đọc báo đã trả")
    WITHDRAWN = "withdrawn", _("Thanh lý")
    IN_HOUSE = "in_house", _("Chỉ đọc tại chỗ")


class Item(models.Model):
    """A physical copy held by one library or service point of the network."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # record_id lookups use the (record, library) index below
    record = models.ForeignKey(BibRecord, on_delete=models.PROTECT, related_name="items", db_index=False)
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="items", verbose_name=_("thư viện"))
    barcode = models.CharField(_("mã vạch"), max_length=64, unique=True)
    call_number = models.CharField(_("ký hiệu xếp giá"), max_length=128, blank=True)
    shelving_location = models.CharField(_("vị trí kho"), max_length=128, blank=True)
    item_type = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="items", verbose_name=_("loại"))
    # No index on status or updated_at: items are always looked up by record, library or barcode
    # first, and every checkout, return and imported item would pay for indexes nothing reads.
    # created_at is indexed (item_created_at): the portal's new acquisitions read the last N days,
    # and the value never changes after the insert.
    status = models.CharField(_("trạng thái"), max_length=24, choices=ItemStatus.choices,
                              default=ItemStatus.AVAILABLE)
    price = models.DecimalField(_("giá"), max_digits=12, decimal_places=0, null=True, blank=True)
    acquired_on = models.DateField(_("ngày nhập"), null=True, blank=True)
    acquisition_source = models.CharField(_("nguồn bổ sung"), max_length=255, blank=True)
    notes = models.TextField(_("ghi chú"), blank=True)
    rfid_tag = models.CharField(_("thẻ RFID"), max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bản tài liệu")
        verbose_name_plural = _("bản tài liệu")
        indexes = [models.Index(fields=["record", "library"], name="item_record_library"),
                   models.Index(fields=["created_at"], name="item_created_at")]

    def __str__(self) -> str:
        return self.barcode


class BibIdentifier(models.Model):
    """An identifier of a bibliographic record, indexed for matching and duplicate checks:
    normalised ISBN-13, ISSN, and system numbers from 035 $a."""

    class Kind(models.TextChoices):
        ISBN = "isbn", "ISBN"
        ISSN = "issn", "ISSN"
        SYSTEM = "035", _("số hệ thống (035)")

    record = models.ForeignKey(BibRecord, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=128)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"], name="bibident_kind_value")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class ImportJob(JobRecord):
    """One MARC file being imported. The checkpoint (`position`, `records_read` and the counters)
    is committed in the same transaction as each batch, so a killed import resumes where the last
    committed batch ended and every good record is stored exactly once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang nhập")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Lỗi")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("thư viện"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    source_name = models.CharField(_("tệp"), max_length=500)
    path = models.CharField(max_length=1000)  # where the file is read from (uploads are stored in MEDIA_ROOT)
    fingerprint = models.CharField(max_length=80, db_index=True)  # size + hash of head and tail
    total_bytes = models.BigIntegerField(default=0)
    format = models.CharField(max_length=16, default="auto")
    encoding = models.CharField(max_length=16, default="auto")
    match = models.CharField(max_length=8, default="001")
    on_match = models.CharField(max_length=8, default="skip")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    position = models.BigIntegerField(default=0)  # byte offset just after the last committed record
    records_read = models.IntegerField(default=0)
    imported = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    skipped = models.IntegerField(default=0)
    quarantined = models.IntegerField(default=0)
    items_created = models.IntegerField(default=0)
    authorities = models.IntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)  # [[index, offset, message], ...] (first 2,000)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("đợt nhập biểu ghi")
        verbose_name_plural = _("đợt nhập biểu ghi")

    def __str__(self) -> str:
        return f"{self.source_name} ({self.get_status_display()})"

    @property
    def summary(self) -> str:
        return (f"imported {self.imported}, updated {self.updated}, skipped {self.skipped}, "
                f"quarantined {self.quarantined}")

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.position / self.total_bytes) if self.total_bytes else 0


class QuarantinedRecord(models.Model):
    """A record that could not be read or stored, kept byte for byte with where it came from and
    why, until someone fixes and re-imports it (or discards it)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Chưa xử lý")
        REIMPORTED = "reimported", _("Đã nhập lại")
        DISCARDED = "discarded", _("Đã bỏ")

    job = models.ForeignKey(ImportJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="quarantine")
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    source_name = models.CharField(max_length=500)
    offset = models.BigIntegerField(default=0)
    index = models.IntegerField(default=0)
    format = models.CharField(max_length=16, default="iso2709")
    raw = models.BinaryField()
    reason = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    record = models.ForeignKey(BibRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("biểu ghi cách ly")
        verbose_name_plural = _("biểu ghi cách ly")

    def __str__(self) -> str:
        return f"{self.source_name}#{self.index}"


class ChangeRequest(models.Model):
    """A cataloguer asks the library that owns a record to change it (only the owner's subtree and
    network-level cataloguers edit a record; others add holdings and send one of these)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang chờ")
        DONE = "done", _("Đã sửa")
        DECLINED = "declined", _("Không sửa")

    record = models.ForeignKey(BibRecord, on_delete=models.CASCADE, related_name="change_requests")
    owner = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị sở hữu"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requester_unit = models.ForeignKey(OrgUnit, null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(_("đề nghị sửa"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    answer = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.record_id}:{self.status}"


class LabelLayout(models.Model):
    """A sheet of labels or cards, in millimetres, as the library measured it: `cols` x `rows` labels of
    `label_width` x `label_height`, the first `margin_left`/`margin_top` from the page's corner and
    `pitch_x`/`pitch_y` from one label to the next; `offset_x`/`offset_y` (right, down) correct the
    printer's drift and are applied by every print path. Built-in presets (`library` empty) are read-only
    and copied to make a library's own; a library's layouts are edited by its staff."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("tên khổ nhãn"), max_length=64, unique=True)
    library = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="label_layouts",
                                verbose_name=_("thư viện"))
    description = models.CharField(_("mô tả"), max_length=200, blank=True)
    page_width = models.DecimalField(_("khổ giấy rộng (mm)"), max_digits=6, decimal_places=2)
    page_height = models.DecimalField(_("khổ giấy cao (mm)"), max_digits=6, decimal_places=2)
    cols = models.PositiveSmallIntegerField(_("số cột"))
    rows = models.PositiveSmallIntegerField(_("số hàng"))
    label_width = models.DecimalField(_("nhãn rộng (mm)"), max_digits=6, decimal_places=2)
    label_height = models.DecimalField(_("nhãn cao (mm)"), max_digits=6, decimal_places=2)
    margin_top = models.DecimalField(_("lề trên (mm)"), max_digits=6, decimal_places=2, default=0)
    margin_left = models.DecimalField(_("lề trái (mm)"), max_digits=6, decimal_places=2, default=0)
    pitch_x = models.DecimalField(_("bước ngang (mm)"), max_digits=6, decimal_places=2)
    pitch_y = models.DecimalField(_("bước dọc (mm)"), max_digits=6, decimal_places=2)
    offset_x = models.DecimalField(_("dịch sang phải (mm)"), max_digits=5, decimal_places=2, default=0)
    offset_y = models.DecimalField(_("dịch xuống (mm)"), max_digits=5, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("khổ nhãn")
        verbose_name_plural = _("khổ nhãn")
        constraints = [
            models.CheckConstraint(condition=models.Q(cols__gte=1, rows__gte=1, label_width__gt=0, label_height__gt=0,
                                                      page_width__gt=0, page_height__gt=0),
                                   name="label_layout_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def builtin(self) -> bool:
        return self.library_id is None

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    @property
    def size_text(self) -> str:
        from thuvien.catalog.labels import mm_text

        return (f"{self.cols} × {self.rows} · {mm_text(float(self.label_width))} × "
                f"{mm_text(float(self.label_height))} mm")

    @property
    def offset_text(self) -> str:
        from thuvien.catalog.labels import mm_text

        return f"{mm_text(float(self.offset_x))} / {mm_text(float(self.offset_y))} mm"

    def as_layout(self) -> Layout:
        """The pure `catalog.labels.Layout` the renderers take (floats, in mm)."""
        from thuvien.catalog.labels import Layout

        return Layout(name=self.name, cols=int(self.cols), rows=int(self.rows), width=float(self.label_width),
                      height=float(self.label_height), top=float(self.margin_top), left=float(self.margin_left),
                      pitch_x=float(self.pitch_x), pitch_y=float(self.pitch_y),
                      page=(float(self.page_width), float(self.page_height)),
                      offset_x=float(self.offset_x), offset_y=float(self.offset_y))


class LibraryLogo(models.Model):
    """A unit's logo for reader cards and labels: a checked PNG or JPEG kept in the local media storage.
    Cards printed for a library use its own logo or the nearest ancestor's."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="logo", verbose_name=_("đơn vị"))
    image = models.FileField(_("logo"), upload_to="logos/")
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("logo thư viện")
        verbose_name_plural = _("logo thư viện")

    def __str__(self) -> str:
        return f"logo {self.unit_id}"
