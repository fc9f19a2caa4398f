"""Stocktake (kiểm kê), after Koha's inventory tool: a session for a library (optionally one shelving
location and a call-number range) that collects barcode reads over one or several days."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from thuvien.catalog.models import Item
from thuvien.core.models import OrgUnit


class Stocktake(models.Model):
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="stocktakes",
                                verbose_name=_("thư viện"))
    location = models.CharField(_("vị trí kho"), max_length=128, blank=True)
    call_from = models.CharField(_("ký hiệu xếp giá từ"), max_length=128, blank=True)
    call_to = models.CharField(_("ký hiệu xếp giá đến"), max_length=128, blank=True)
    auto_checkin = models.BooleanField(_("tự động nhận trả tài liệu đang cho mượn tìm thấy trên giá"), default=False)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("đợt kiểm kê")
        verbose_name_plural = _("đợt kiểm kê")

    def __str__(self) -> str:
        return f"{self.library.code} {self.started_at:%Y-%m-%d}"


class StocktakeRead(models.Model):
    """One barcode read (the first of duplicates), in read order; `item` is None for unknown barcodes."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="reads")
    seq = models.PositiveIntegerField()
    barcode = models.CharField(max_length=64)
    item = models.ForeignKey(Item, null=True, on_delete=models.SET_NULL, related_name="+")
    seen_at = models.DateTimeField()
    checked_in = models.BooleanField(default=False)

    class Meta:
        ordering = ["stocktake", "seq"]
        constraints = [models.UniqueConstraint(fields=["stocktake", "barcode"], name="stocktake_read_once")]

    def __str__(self) -> str:
        return self.barcode
