"""Statistics: roll-ups of the anonymised `core.ActivityEvent` stream, data the administrator enters
per unit and year (population, expenditure, staff), saved ad-hoc reports and e-mail subscriptions.

The events themselves stay in `core.ActivityEvent` (append-only, no reader or staff identity); the
roll-up tables here are derived data: `thuvien report_rollup --rebuild` recreates them from events.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from thuvien.core.models import OrgUnit


class DailyRollup(models.Model):
    """Number of events of one kind at one unit on one local day, per combination of tags."""

    day = models.DateField()
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    category = models.CharField(max_length=40, default="")
    age_band = models.CharField(max_length=10, default="")
    gender = models.CharField(max_length=1, default="")
    ethnicity = models.CharField(max_length=60, default="")
    ddc_class = models.CharField(max_length=1, default="")
    language = models.CharField(max_length=3, default="")
    count = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "unit", "kind"], name="rollup_day_unit_kind"),
                   models.Index(fields=["unit", "day"], name="rollup_unit_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.kind}={self.count}"


class MonthlyRollup(models.Model):
    """Total of each kind per unit and calendar month (first day), summed from `DailyRollup`."""

    month = models.DateField()
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "unit", "kind"], name="monthlyrollup_unique")]
        indexes = [models.Index(fields=["unit", "month"], name="monthlyrollup_unit_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.unit_id} {self.kind}={self.count}"


class RollupState(models.Model):
    """The one row remembering the last event id the incremental roll-up has seen."""

    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"rollup@{self.last_event_id}"


class UnitYearData(models.Model):
    """Figures that are not events, entered by the administrator per unit and year."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("đơn vị"))
    year = models.PositiveSmallIntegerField(_("năm"))
    population = models.PositiveIntegerField(_("dân số phục vụ"), default=0)
    expenditure = models.DecimalField(_("kinh phí (đồng)"), max_digits=16, decimal_places=0, default=0)
    staff = models.DecimalField(_("nhân lực (quy đổi toàn thời gian)"), max_digits=8, decimal_places=1, default=0)
    seats = models.PositiveIntegerField(_("chỗ ngồi đọc"), default=0)
    digitisation_target = models.PositiveIntegerField(_("chỉ tiêu số hoá (trang)"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="unityeardata_unique")]
        verbose_name = _("số liệu năm của đơn vị")
        verbose_name_plural = _("số liệu năm của đơn vị")

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}"


class SavedReport(models.Model):
    """An ad-hoc report from the builder: a fact, up to two dimensions and filters (allow-listed)."""

    name = models.CharField(_("tên"), max_length=200)
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("đơn vị"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    shared = models.BooleanField(_("chia sẻ trong đơn vị và cấp dưới"), default=True)
    spec = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ReportSubscription(models.Model):
    """A catalogue report e-mailed to chosen addresses every month or year, for one unit's subtree."""

    class Every(models.TextChoices):
        MONTHLY = "monthly", _("Hằng tháng")
        YEARLY = "yearly", _("Hằng năm")

    report = models.CharField(_("báo cáo"), max_length=40)
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("đơn vị"))
    every = models.CharField(_("tần suất"), max_length=10, choices=Every.choices, default=Every.MONTHLY)
    file_format = models.CharField(_("định dạng"), max_length=4, default="pdf")
    recipients = models.TextField(_("địa chỉ nhận (mỗi dòng một địa chỉ)"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    last_sent_period = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.report}@{self.unit_id} {self.every}"
