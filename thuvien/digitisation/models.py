"""Digitisation projects: a plan per digital collection (the records to digitise, with priority and
condition), its targets, the workflow state of each planned record (see `states.py`), the log of
every transition (who, when, why) and the quality-control findings on pages."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thuvien.catalog.models import BibRecord
from thuvien.digital.models import Collection, DigitalObject, Page


class HoldingsKind(models.TextChoices):
    """Which catalogue records count as the collection's holdings (the base of a % target)."""

    LOCAL_HISTORY = "local_history", _("Tài liệu địa chí")
    HAN_NOM = "han_nom", _("Tài liệu Hán Nôm")
    MINORITY = "minority", _("Tài liệu tiếng dân tộc thiểu số")
    RARE = "rare", _("Tài liệu quý hiếm")
    PLAN = "plan", _("Các biểu ghi trong kế hoạch")


class Project(models.Model):
    """The digitisation project of one digital collection: its holdings and its minimum scan resolution."""

    collection = models.OneToOneField(Collection, on_delete=models.CASCADE, related_name="project",
                                      verbose_name=_("bộ sưu tập số"))
    holdings_kind = models.CharField(_("vốn tài liệu gốc"), max_length=16, choices=HoldingsKind.choices,
                                     default=HoldingsKind.LOCAL_HISTORY)
    holdings_count = models.PositiveIntegerField(_("số đầu tài liệu gốc"), default=0)
    holdings_counted_at = models.DateTimeField(null=True, blank=True)
    min_ppi = models.PositiveIntegerField(_("độ phân giải tối thiểu (ppi)"), default=300)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dự án số hoá")

    def __str__(self) -> str:
        return str(self.collection)


class Measure(models.TextChoices):
    TITLES = "titles", _("đầu tài liệu")
    PAGES = "pages", _("trang")
    PERCENT = "percent", _("% vốn tài liệu")


class Target(models.Model):
    """A target of a project: "70% địa chí by 2030", "1.000 đầu sách giai đoạn 1"."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="targets")
    measure = models.CharField(_("đơn vị chỉ tiêu"), max_length=8, choices=Measure.choices)
    value = models.PositiveIntegerField(_("chỉ tiêu"))
    phase = models.CharField(_("giai đoạn"), max_length=120, blank=True)
    deadline = models.DateField(_("hạn hoàn thành"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chỉ tiêu số hoá")
        ordering = ["project", "deadline", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(value__gt=0), name="digitisation_target_positive")]

    def __str__(self) -> str:
        return f"{self.value} {self.get_measure_display()} ({self.phase})"


class State(models.TextChoices):
    SELECTED = "selected", _("Đã chọn")
    PREPARED = "prepared", _("Đã chuẩn bị")
    SCANNED = "scanned", _("Đã quét")
    QC = "qc", _("Kiểm tra chất lượng")
    REWORK = "rework", _("Quét lại")
    OCR = "ocr", _("Nhận dạng chữ")
    METADATA = "metadata", _("Biên mục siêu dữ liệu")
    APPROVED = "approved", _("Đã duyệt")
    PUBLISHED = "published", _("Đã công bố")
    WITHDRAWN = "withdrawn", _("Đã rút")


class PlanItem(models.Model):
    """One record in a project's plan, with its place in the workflow and (from scanning) its object."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="items")
    record = models.ForeignKey(BibRecord, on_delete=models.PROTECT, related_name="+", verbose_name=_("biểu ghi"))
    obj = models.OneToOneField(DigitalObject, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="plan_item", verbose_name=_("tài liệu số"))
    priority = models.PositiveSmallIntegerField(_("ưu tiên"), default=2)  # 1 high, 2 normal, 3 low
    condition = models.TextField(_("tình trạng bản gốc"), blank=True)
    state = models.CharField(_("trạng thái"), max_length=12, choices=State.choices, default=State.SELECTED,
                             db_index=True)
    pages = models.PositiveIntegerField(_("số trang"), default=0)  # of the object, set at each scan
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    checks_at = models.DateTimeField(null=True, blank=True)  # last automatic page checks
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tài liệu trong kế hoạch số hoá")
        ordering = ["project", "priority", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "record"], name="digitisation_plan_record_once")]
        indexes = [models.Index(fields=["project", "state"])]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.record_id}"


class Transition(models.Model):
    """One step of the workflow (append-only): the per-operator throughput comes from these rows."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.TextField(blank=True)
    pages = models.PositiveIntegerField(default=0)  # the object's pages at that moment

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_state}→{self.to_state}"


class RescanReason(models.TextChoices):
    BLURRED = "blurred", _("Mờ")
    CROPPED = "cropped", _("Bị cắt")
    SKEWED = "skewed", _("Lệch")
    MISSING = "missing", _("Thiếu trang")
    OTHER = "other", _("Lý do khác")


class RescanMark(models.Model):
    """A reviewer's request to rescan one page; open until the object is scanned again."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="rescans")
    page = models.ForeignKey(Page, null=True, on_delete=models.SET_NULL, related_name="+")
    page_order = models.PositiveIntegerField()
    reason = models.CharField(_("lý do"), max_length=10, choices=RescanReason.choices)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "page_order", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id}#{self.page_order}: {self.reason}"


class CheckKind(models.TextChoices):
    LOW_PPI = "low_ppi", _("Độ phân giải thấp")
    BLANK = "blank", _("Trang trắng")
    DUPLICATE = "duplicate", _("Trang trùng")
    SKEW = "skew", _("Trang lệch")
    UNREADABLE = "unreadable", _("Không đọc được ảnh")


class PageCheck(models.Model):
    """A finding of the automatic page checks (replaced at each run)."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="checks")
    page = models.ForeignKey(Page, null=True, on_delete=models.CASCADE, related_name="+")
    page_order = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=CheckKind.choices)
    value = models.FloatField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["item", "page_order", "kind"]

    def __str__(self) -> str:
        return f"{self.item_id}#{self.page_order}: {self.kind}"
