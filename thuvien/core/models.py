"""The library network (an Evergreen-style organisation tree), staff, roles and the audit log."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.Model):
    """A kind of unit (provincial library, commune reading room, mobile van...): data, not code."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120, blank=True)
    holds_items = models.BooleanField(_("có kho tài liệu"), default=True)
    circulates = models.BooleanField(_("có phục vụ mượn trả"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("loại đơn vị")
        verbose_name_plural = _("loại đơn vị")

    def __str__(self) -> str:
        return self.name


class OrgUnit(models.Model):
    """A node of the network tree. `path` is a materialised path ("/1/7/42/") for subtree queries."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("mã (ISIL)"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên ngắn"), max_length=80, blank=True)
    kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, related_name="units", verbose_name=_("loại"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("đơn vị cha")
    )
    path = models.CharField(max_length=1024, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=60, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    website = models.URLField(_("trang web"), blank=True)
    opening_hours = models.TextField(_("giờ mở cửa"), blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_units",
        verbose_name=_("đã hợp nhất vào"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit itself."""
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def is_within(self, other: OrgUnit) -> bool:
        """True when this unit is `other` or lies under it."""
        return self.path.startswith(other.path)


class OrgUnitSetting(models.Model):
    """An override of a registered setting at one unit; units below inherit it unless they override."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="setting_overrides")
    key = models.CharField(max_length=100)
    value = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "key"], name="orgunitsetting_unique_key")]

    def __str__(self) -> str:
        return f"{self.unit.code}:{self.key}"


class User(AbstractUser):
    """A staff member (or, with no role grants, a portal account). Passwords are hashed with Argon2."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    home_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="staff", verbose_name=_("nơi làm việc")
    )
    display_name = models.CharField(_("họ và tên"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    NETWORK_ADMIN = "network_admin", _("Quản trị mạng lưới")
    LIBRARY_MANAGER = "library_manager", _("Quản lý thư viện")
    CATALOGUER = "cataloguer", _("Biên mục")
    CIRCULATION = "circulation", _("Lưu thông (mượn trả)")
    DIGITISATION = "digitisation", _("Số hoá")
    REPORT_VIEWER = "report_viewer", _("Xem báo cáo")


class RoleGrant(models.Model):
    """A role held by a staff member at a unit; it applies to that unit and everything under it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="grants")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="rolegrant_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.unit.code}"


class AuditEntry(models.Model):
    """Who did what, when, at which unit, to which object, with before/after of edited fields."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=255, blank=True)
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(max_length=500, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"


class ActivityEvent(models.Model):
    """Anonymised, append-only events (loans, returns, visits...) that statistics read.

    No reader or staff identity is stored: only the unit, the kind of event and coarse attributes.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    unit = models.ForeignKey(OrgUnit, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=40, db_index=True)
    attributes = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.kind}@{self.unit_id}"


class JobRecord(models.Model):
    """What every long-running job's row carries (imports, harvests): its error text and times.
    Subclasses add their status choices and counters."""

    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class LoginEvent(models.Model):
    """One login, failed login, logout or lockout at the staff or portal door (shown to managers;
    failures in the last minutes are what the lockout counts, before any password is hashed)."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Đăng nhập")
        FAILED = "failed", _("Đăng nhập sai")
        LOCKED = "locked", _("Bị khoá tạm thời")
        LOGOUT = "logout", _("Đăng xuất")
        TIMEOUT = "timeout", _("Hết phiên do không hoạt động")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    door = models.CharField(max_length=10)  # "staff" | "portal" | "api" (device tokens) | "sip2" (terminals, PINs)
    username = models.CharField(max_length=255)  # as typed (folded to lower case), for the per-account count
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["username", "at"], name="loginevent_user_at"),
                   models.Index(fields=["ip", "at"], name="loginevent_ip_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"

    @property
    def door_label(self) -> str:
        labels = {"staff": _("Cán bộ"), "portal": _("Cổng bạn đọc"), "api": _("API (thiết bị)"),
                  "sip2": _("SIP2 (máy tự phục vụ)")}
        return str(labels.get(self.door, self.door))


class OutboundAllow(models.Model):
    """A host name or an address block (CIDR) the network administrator allows outbound requests to even
    though it is internal (e.g. a union catalogue inside the provincial LAN); added to the
    THUVIEN_OUTBOUND_ALLOWED_HOSTS environment setting, which still applies."""

    entry = models.CharField(_("máy chủ hoặc dải địa chỉ"), max_length=255, unique=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry"]
        verbose_name = _("máy chủ được phép truy cập")
        verbose_name_plural = _("máy chủ được phép truy cập")

    def __str__(self) -> str:
        return self.entry
