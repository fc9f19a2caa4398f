"""Portal content keyed to the organisation tree: a unit's directory profile (coordinates, services),
its weekly opening intervals, the mobile van's stops, news, events with registrations, record covers
and readers' saved lists."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from thuvien.core.models import OrgUnit

WEEKDAYS = [(0, _("Thứ Hai")), (1, _("Thứ Ba")), (2, _("Thứ Tư")), (3, _("Thứ Năm")), (4, _("Thứ Sáu")),
            (5, _("Thứ Bảy")), (6, _("Chủ Nhật"))]


def _token() -> str:
    return secrets.token_urlsafe(24)


class UnitProfile(models.Model):
    """What the directory shows of a unit beyond core.OrgUnit: map coordinates and services offered."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="portal_profile")
    latitude = models.DecimalField(_("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    services = models.TextField(_("dịch vụ"), blank=True, help_text=_("Mỗi dòng một dịch vụ."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                                   name="portal_profile_latitude_range"),
            models.CheckConstraint(condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                                   name="portal_profile_longitude_range"),
        ]

    def __str__(self) -> str:
        return str(self.unit)

    @property
    def service_list(self) -> list[str]:
        return [s.strip() for s in self.services.splitlines() if s.strip()]


class OpeningInterval(models.Model):
    """One opening interval of a unit on a weekday (several a day allowed, e.g. 7:30-11:30 and 13:30-17:00)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="opening_intervals")
    weekday = models.PositiveSmallIntegerField(_("thứ"), choices=WEEKDAYS)
    opens = models.TimeField(_("mở cửa"))
    closes = models.TimeField(_("đóng cửa"))

    class Meta:
        ordering = ["unit", "weekday", "opens"]
        indexes = [models.Index(fields=["unit", "weekday"], name="portal_hours_unit_day")]
        constraints = [models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="portal_hours_order"),
                       models.CheckConstraint(condition=Q(weekday__lte=6), name="portal_hours_weekday")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.weekday} {self.opens}-{self.closes}"


class VanStop(models.Model):
    """A stop of a mobile library van: where and when it serves readers."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="van_stops", verbose_name=_("đơn vị"))
    day = models.DateField(_("ngày"))
    starts = models.TimeField(_("từ"))
    ends = models.TimeField(_("đến"))
    place = models.CharField(_("địa điểm"), max_length=200)
    commune = models.CharField(_("xã, phường"), max_length=120)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day", "starts"]
        indexes = [models.Index(fields=["day", "starts"], name="portal_vanstop_day"),
                   models.Index(fields=["commune", "day"], name="portal_vanstop_commune")]
        constraints = [models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="portal_vanstop_order")]

    def __str__(self) -> str:
        return f"{self.day} {self.place}"


class NewsItem(models.Model):
    """A news article of one library; the body is sanitised HTML (services.clean_html)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="news", verbose_name=_("thư viện"))
    title = models.CharField(_("tiêu đề"), max_length=255)
    summary = models.CharField(_("tóm tắt"), max_length=500, blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    image = models.ImageField(_("ảnh"), upload_to="portal/news/%Y/%m/", blank=True)
    is_published = models.BooleanField(_("đã đăng"), default=False)
    published_at = models.DateTimeField(_("ngày đăng"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["is_published", "-published_at"], name="portal_news_pub")]

    def __str__(self) -> str:
        return self.title


class EventKind(models.TextChoices):
    BOOK_DAY = "book_day", _("Ngày Sách và Văn hóa đọc")
    READING = "reading", _("Phát triển văn hóa đọc")
    VAN_VISIT = "van_visit", _("Xe thư viện lưu động")
    TALK = "talk", _("Tọa đàm, giới thiệu sách")
    OTHER = "other", _("Khác")


class Event(models.Model):
    """An event of one library with an optional seat limit for online registration."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="events", verbose_name=_("thư viện"))
    kind = models.CharField(_("loại"), max_length=20, choices=EventKind.choices, default=EventKind.READING)
    title = models.CharField(_("tên sự kiện"), max_length=255)
    body = models.TextField(_("giới thiệu"), blank=True)
    place = models.CharField(_("địa điểm"), max_length=255)
    starts_at = models.DateTimeField(_("bắt đầu"))
    ends_at = models.DateTimeField(_("kết thúc"))
    seats = models.PositiveIntegerField(_("số chỗ"), null=True, blank=True,
                                        help_text=_("Để trống nếu không giới hạn."))
    registration_open = models.BooleanField(_("nhận đăng ký trực tuyến"), default=True)
    is_published = models.BooleanField(_("đã đăng"), default=False)
    attendance = models.PositiveIntegerField(_("số người tham dự"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["is_published", "starts_at"], name="portal_event_pub")]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gte=models.F("starts_at")),
                                              name="portal_event_order")]

    def __str__(self) -> str:
        return self.title


class RegistrationState(models.TextChoices):
    REGISTERED = "registered", _("Đã đăng ký")
    CANCELLED = "cancelled", _("Đã huỷ")
    ATTENDED = "attended", _("Đã tham dự")
    ABSENT = "absent", _("Vắng mặt")


class Registration(models.Model):
    """A seat at an event: a logged-in reader (user) or a visitor with name and phone (with consent)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="event_registrations")
    name = models.CharField(_("họ tên"), max_length=200)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    consent_text = models.TextField(blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=RegistrationState.choices, default=RegistrationState.REGISTERED)
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["event", "state"], name="portal_reg_event_state")]
        constraints = [models.UniqueConstraint(fields=["event", "user"], condition=Q(state="registered"),
                                               name="portal_reg_one_per_reader")]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.name}"


def cover_path(instance: RecordCover, filename: str) -> str:
    return f"portal/covers/{instance.record_id % 100:02d}/{instance.record_id}-{secrets.token_hex(4)}.jpg"


def thumb_path(instance: RecordCover, filename: str) -> str:
    return f"portal/covers/{instance.record_id % 100:02d}/{instance.record_id}-{secrets.token_hex(4)}-t.jpg"


class RecordCover(models.Model):
    """The cover image of a bibliographic record (uploaded by staff or fetched by the cover task)."""

    record = models.OneToOneField("catalog.BibRecord", on_delete=models.CASCADE, related_name="cover")
    image = models.ImageField(upload_to=cover_path)
    thumbnail = models.ImageField(upload_to=thumb_path)
    source = models.CharField(max_length=20, default="upload")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cover {self.record_id}"


class SavedList(models.Model):
    """A reader's list of records: private, or shared by an unguessable link."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_lists")
    name = models.CharField(_("tên danh sách"), max_length=120)
    is_shared = models.BooleanField(_("chia sẻ bằng đường dẫn"), default=False)
    share_token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class SavedListEntry(models.Model):
    saved_list = models.ForeignKey(SavedList, on_delete=models.CASCADE, related_name="entries")
    record = models.ForeignKey("catalog.BibRecord", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["saved_list", "record"], name="portal_list_entry_unique")]

    def __str__(self) -> str:
        return f"{self.saved_list_id}:{self.record_id}"
