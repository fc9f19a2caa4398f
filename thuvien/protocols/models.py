"""Interconnection state: OAI-PMH harvest sources and their runs, what each source gave us, and
the SRU targets staff search for copy cataloguing."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from thuvien.catalog.models import BibRecord
from thuvien.core.models import JobRecord, OrgUnit


class HarvestSource(models.Model):
    """A remote OAI-PMH repository whose records are merged into one library's catalogue."""

    class Schedule(models.TextChoices):
        MANUAL = "manual", _("Chạy tay")
        DAILY = "daily", _("Hằng ngày")
        WEEKLY = "weekly", _("Hằng tuần")

    class Match(models.TextChoices):
        CONTROL = "001", _("001 + 003")
        SYSTEM = "035", _("035 (số hệ thống)")
        ISBN = "isbn", _("ISBN")

    class Prefix(models.TextChoices):
        MARC21 = "marc21", _("marc21 (MARCXML)")
        OAI_DC = "oai_dc", _("oai_dc (Dublin Core, chuyển sang MARC21)")

    class OnMatch(models.TextChoices):
        OVERLAY = "overlay", _("Thay bằng biểu ghi mới")
        MERGE = "merge", _("Bổ sung trường còn thiếu")
        SKIP = "skip", _("Giữ nguyên biểu ghi cũ")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    base_url = models.URLField(_("địa chỉ OAI-PMH"), max_length=500)
    metadata_prefix = models.CharField(_("định dạng"), max_length=32, choices=Prefix.choices, default=Prefix.MARC21)
    set_spec = models.CharField(_("tập (set)"), max_length=200, blank=True)
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="harvest_sources",
                                verbose_name=_("thư viện nhận"))
    schedule = models.CharField(_("lịch"), max_length=16, choices=Schedule.choices, default=Schedule.MANUAL)
    match = models.CharField(_("so khớp theo"), max_length=8, choices=Match.choices, default=Match.CONTROL)
    on_match = models.CharField(_("khi trùng"), max_length=8, choices=OnMatch.choices, default=OnMatch.OVERLAY)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    # The responseDate of the first page of the last complete harvest: the next one asks `from` it.
    last_datestamp = models.CharField(_("mốc thu hoạch gần nhất"), max_length=20, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("nguồn thu hoạch OAI-PMH")
        verbose_name_plural = _("nguồn thu hoạch OAI-PMH")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class HarvestRun(JobRecord):
    """One harvest of a source. Each page is committed with `resumption_token` (the token of the
    next page to ask for), so a failed run is resumed from the page that failed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang thu hoạch")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Lỗi")

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="runs")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    from_datestamp = models.CharField(max_length=20, blank=True)
    response_date = models.CharField(max_length=20, blank=True)
    resumption_token = models.TextField(blank=True)
    pages = models.IntegerField(default=0)
    cursor = models.IntegerField(default=0)
    complete_list_size = models.IntegerField(null=True, blank=True)
    records_seen = models.IntegerField(default=0)
    imported = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    deleted = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)  # first 200 [identifier, message]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lượt thu hoạch")
        verbose_name_plural = _("lượt thu hoạch")

    def __str__(self) -> str:
        return f"{self.source.code} #{self.pk} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if self.complete_list_size:
            return min(99, int(100 * self.records_seen / self.complete_list_size))
        return 0


class HarvestedRecord(models.Model):
    """Provenance: which local record an OAI identifier of a source became, and when."""

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="records")
    identifier = models.CharField(max_length=255)
    record = models.ForeignKey(BibRecord, null=True, on_delete=models.SET_NULL, related_name="harvested_from")
    datestamp = models.CharField(max_length=20)
    deleted = models.BooleanField(default=False)
    harvested_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "identifier"], name="harvested_unique_identifier")]

    def __str__(self) -> str:
        return f"{self.source.code}:{self.identifier}"


class SRUTarget(models.Model):
    """A remote (or our own) SRU server searched from the copy cataloguing page."""

    name = models.CharField(_("tên"), max_length=200)
    url = models.URLField(_("địa chỉ SRU"), max_length=500)
    version = models.CharField(_("phiên bản"), max_length=4, choices=[("1.2", "1.2"), ("2.0", "2.0")], default="1.2")
    record_schema = models.CharField(_("lược đồ biểu ghi"), max_length=100, default="marcxml")
    is_active = models.BooleanField(_("đang dùng"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("máy chủ SRU")
        verbose_name_plural = _("máy chủ SRU")

    def __str__(self) -> str:
        return self.name


class Sip2Terminal(models.Model):
    """A self-check kiosk, book drop or gate logging in to the SIP2 server (93 with CN/CO). Its own
    password (hashed) opens SIP2 only; `account` is the staff account, scoped to `library`, that
    every operation is attributed to and checked against (it has no usable web password)."""

    class Encoding(models.TextChoices):
        UTF8 = "utf-8", _("UTF-8 (tiếng Việt có dấu)")
        CP850 = "cp850", _("CP850 (bỏ dấu tiếng Việt)")
        ASCII = "ascii", _("ASCII (bỏ dấu tiếng Việt)")

    class LineEnd(models.TextChoices):
        CR = "cr", "CR"
        CRLF = "crlf", "CR LF"

    login = models.CharField(_("tên đăng nhập (CN)"), max_length=64, unique=True)
    password = models.CharField(max_length=128)
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sip2_terminal")
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="sip2_terminals",
                                verbose_name=_("thư viện"))
    location = models.CharField(_("vị trí đặt máy"), max_length=100, blank=True)
    encoding = models.CharField(_("bảng mã"), max_length=8, choices=Encoding.choices, default=Encoding.UTF8)
    line_end = models.CharField(_("kết thúc dòng"), max_length=4, choices=LineEnd.choices, default=LineEnd.CR)
    error_detection = models.BooleanField(_("kiểm tra lỗi (AY/AZ)"), default=True)
    patron_pin_required = models.BooleanField(_("bạn đọc phải nhập mã PIN"), default=True)
    tls_required = models.BooleanField(_("bắt buộc kết nối mã hoá TLS"), default=False)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(_("đăng nhập lần cuối"), null=True, blank=True)

    class Meta:
        ordering = ["library", "login"]
        verbose_name = _("máy tự phục vụ SIP2")
        verbose_name_plural = _("máy tự phục vụ SIP2")

    def __str__(self) -> str:
        return self.login
