"""API access for devices and outside systems (gates, kiosks that prefer HTTP, counters)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from thuvien.core.models import OrgUnit


class DeviceToken(models.Model):
    """A bearer token for one device, scoped to a library and a set of operations, revocable. Only a
    hash of the secret is kept; `prefix` identifies it in lists. Operations are done as `account`,
    a circulation account at `library` that cannot log in to the web."""

    class Scope(models.TextChoices):
        VISITS = "visits", _("Gửi số lượt vào thư viện (cổng đếm)")
        CIRCULATION = "circulation", _("Mượn, trả, gia hạn (máy tự phục vụ)")

    name = models.CharField(_("tên thiết bị"), max_length=100)
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="device_tokens",
                                verbose_name=_("thư viện"))
    scopes = models.JSONField(_("quyền"), default=list)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="device_token")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        ordering = ["library", "name"]
        verbose_name = _("khoá API thiết bị")
        verbose_name_plural = _("khoá API thiết bị")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"
