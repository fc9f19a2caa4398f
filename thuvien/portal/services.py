"""Writes of the portal: directory profiles, opening hours, van stops, news, events and registrations,
covers and saved lists. Keyword-only, each in its own transaction with its audit entry; staff writes
are checked at the unit that owns the object (Perm.ORG_EDIT for portal content, CATALOG_EDIT for covers)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import nh3
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.core.audit import audit, diff, snapshot
from thuvien.core.permissions import Perm, require_perm
from thuvien.portal.models import (
    Event,
    NewsItem,
    OpeningInterval,
    RecordCover,
    Registration,
    RegistrationState,
    SavedList,
    SavedListEntry,
    UnitProfile,
    VanStop,
)
from thuvien.portal.states import registration_transition
from thuvien.reports.facts import event_record

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from thuvien.catalog.models import BibRecord
    from thuvien.core.models import OrgUnit, User

# The HTML a news article or event description may hold after sanitising (what the Trix editor writes).
ALLOWED_TAGS = {"p", "br", "div", "strong", "b", "em", "i", "u", "del", "s", "a", "ul", "ol", "li", "h1", "h2",
                "h3", "blockquote", "pre", "code", "img", "figure", "figcaption"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}
IMAGE_TYPES = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MAX_IMAGE_BYTES = 5 << 20
THUMB_SIZE = (240, 360)
CONSENT_WORDING = _("Tôi đồng ý để thư viện dùng họ tên và số điện thoại này để liên hệ về sự kiện; "
                    "thư viện xoá chúng sau khi sự kiện kết thúc 30 ngày.")


def clean_html(html: str) -> str:
    """Sanitise editor HTML with an allow-list: no scripts, styles, event handlers or foreign images."""
    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if tag == "img" and attr == "src" and not value.startswith(settings.MEDIA_URL):
            return None  # images only from our own uploads: no request to another host
        return value
    return nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow",
                     attribute_filter=attribute_filter)


def image_check(upload: UploadedFile) -> tuple[Any, str]:
    """The opened Pillow image of an upload and its extension; ValidationError when it is not a
    JPEG/PNG/WebP/GIF picture of at most 5 MB (the content decides, not the file name)."""
    from PIL import Image, UnidentifiedImageError

    if upload.size and upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(_("Ảnh quá lớn (tối đa 5 MB)."))
    data = upload.read()
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError(_("Ảnh quá lớn (tối đa 5 MB)."))
    try:
        img = Image.open(io.BytesIO(data))
        img.verify()
        img = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationError(_("Tệp không phải là ảnh JPEG, PNG, WebP hoặc GIF.")) from exc
    if img.format not in IMAGE_TYPES:
        raise ValidationError(_("Tệp không phải là ảnh JPEG, PNG, WebP hoặc GIF."))
    if img.width * img.height > 40_000_000:
        raise ValidationError(_("Ảnh quá lớn (tối đa 40 triệu điểm ảnh)."))
    upload.seek(0)
    return img, IMAGE_TYPES[img.format]


# --- directory -------------------------------------------------------------------------------------

@transaction.atomic
def profile_update(*, actor: User, unit: OrgUnit, latitude: Decimal | None, longitude: Decimal | None,
                   services: str) -> UnitProfile:
    """Set a unit's coordinates and services (both coordinates or neither)."""
    require_perm(actor, Perm.ORG_EDIT, unit)
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("Nhập cả vĩ độ và kinh độ, hoặc để trống cả hai."))
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # type: ignore[operator]
        raise ValidationError(_("Toạ độ không hợp lệ."))
    profile, _created = UnitProfile.objects.get_or_create(unit=unit)
    before = snapshot(profile, ["latitude", "longitude", "services"])
    profile.latitude, profile.longitude, profile.services = latitude, longitude, services.strip()
    profile.save()
    audit(actor=actor, action="portal.profile_update", obj=profile, unit=unit,
          changes=diff(before, snapshot(profile, ["latitude", "longitude", "services"])))
    return profile


_CLOCK = re.compile(r"^(\d{1,2})(?:[:hg.](\d{2})?)?$")


def _clock(text: str) -> dt.time:
    """"7:30", "07:30", "17", "17h", "7h30" -> a time; ValueError otherwise."""
    m = _CLOCK.match(text.strip().lower())
    if not m:
        raise ValueError(text)
    return dt.time(int(m.group(1)), int(m.group(2) or 0))


def parse_hours(text: str) -> list[tuple[dt.time, dt.time]]:
    """"7:30-11:30, 13:30-17:00" -> intervals in order; ValidationError naming the bad part."""
    out: list[tuple[dt.time, dt.time]] = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        try:
            a, b = (s.strip() for s in part.replace("–", "-").split("-"))
            opens, closes = _clock(a), _clock(b)
        except ValueError as exc:
            raise ValidationError(_("Khoảng giờ “%(p)s” không hợp lệ (ví dụ 7:30-11:30).") % {"p": part}) from exc
        if closes <= opens:
            raise ValidationError(_("Khoảng giờ “%(p)s”: giờ đóng cửa phải sau giờ mở cửa.") % {"p": part})
        if out and opens < out[-1][1]:
            raise ValidationError(_("Khoảng giờ “%(p)s” chồng lên khoảng trước.") % {"p": part})
        out.append((opens, closes))
    return out


@transaction.atomic
def hours_set(*, actor: User, unit: OrgUnit, week: dict[int, list[tuple[dt.time, dt.time]]]) -> None:
    """Replace a unit's weekly opening intervals (weekday 0 = Monday; a missing day is closed)."""
    require_perm(actor, Perm.ORG_EDIT, unit)
    old = {d: [f"{a:%H:%M}-{b:%H:%M}" for a, b in OpeningInterval.objects.filter(unit=unit, weekday=d)
               .values_list("opens", "closes")] for d in range(7)}
    OpeningInterval.objects.filter(unit=unit).delete()
    OpeningInterval.objects.bulk_create([OpeningInterval(unit=unit, weekday=d, opens=a, closes=b)
                                         for d, spans in sorted(week.items()) for a, b in spans])
    new = {d: [f"{a:%H:%M}-{b:%H:%M}" for a, b in week.get(d, [])] for d in range(7)}
    audit(actor=actor, action="portal.hours_set", unit=unit, obj=unit,
          changes={str(d): [old[d], new[d]] for d in range(7) if old[d] != new[d]})


@transaction.atomic
def van_stop_save(*, actor: User, unit: OrgUnit, day: dt.date, starts: dt.time, ends: dt.time, place: str,
                  commune: str, note: str = "", stop: VanStop | None = None) -> VanStop:
    """Create or change a stop of `unit`'s mobile van (permission at the van's unit)."""
    require_perm(actor, Perm.ORG_EDIT, unit)
    if stop is not None:
        require_perm(actor, Perm.ORG_EDIT, stop.unit)
    if ends <= starts:
        raise ValidationError(_("Giờ kết thúc phải sau giờ bắt đầu."))
    if not place.strip() or not commune.strip():
        raise ValidationError(_("Cần có địa điểm và xã, phường."))
    fields = ["unit_id", "day", "starts", "ends", "place", "commune", "note"]
    stop = stop or VanStop()
    before = snapshot(stop, fields) if stop.pk else {}
    stop.unit, stop.day, stop.starts, stop.ends = unit, day, starts, ends
    stop.place, stop.commune, stop.note = place.strip(), commune.strip(), note.strip()
    stop.save()
    audit(actor=actor, action="portal.van_stop_save", obj=stop, unit=unit, changes=diff(before, snapshot(stop, fields)))
    return stop


@transaction.atomic
def van_stop_delete(*, actor: User, stop: VanStop) -> None:
    """Remove a stop from the timetable."""
    require_perm(actor, Perm.ORG_EDIT, stop.unit)
    audit(actor=actor, action="portal.van_stop_delete", obj=stop, unit=stop.unit)
    stop.delete()


# --- news ------------------------------------------------------------------------------------------

@transaction.atomic
def news_save(*, actor: User, library: OrgUnit, title: str, summary: str, body: str, publish: bool,
              image: UploadedFile | None = None, item: NewsItem | None = None) -> NewsItem:
    """Create or edit a news article of `library`; the body is sanitised; publishing dates it once."""
    require_perm(actor, Perm.ORG_EDIT, library)
    if item is not None:
        require_perm(actor, Perm.ORG_EDIT, item.library)
    if not title.strip():
        raise ValidationError(_("Cần có tiêu đề."))
    fields = ["library_id", "title", "summary", "body", "is_published"]
    item = item or NewsItem(created_by=actor)
    before = snapshot(item, fields) if item.pk else {}
    item.library, item.title, item.summary = library, title.strip(), summary.strip()
    item.body = clean_html(body)
    item.is_published = publish
    if publish and item.published_at is None:
        item.published_at = timezone.now()
    if image is not None:
        _img, ext = image_check(image)
        item.image.save(f"news.{ext}", ContentFile(image.read()), save=False)
    item.save()
    audit(actor=actor, action="portal.news_save", obj=item, unit=library, changes=diff(before, snapshot(item, fields)))
    return item


@transaction.atomic
def news_delete(*, actor: User, item: NewsItem) -> None:
    require_perm(actor, Perm.ORG_EDIT, item.library)
    audit(actor=actor, action="portal.news_delete", obj=item, unit=item.library)
    item.delete()


# --- events ----------------------------------------------------------------------------------------

EVENT_FIELDS = ["library_id", "kind", "title", "body", "place", "starts_at", "ends_at", "seats",
                "registration_open", "is_published"]


@transaction.atomic
def event_save(*, actor: User, library: OrgUnit, data: dict[str, Any], event: Event | None = None) -> Event:
    """Create or edit an event of `library` (data: the EVENT_FIELDS values except library)."""
    require_perm(actor, Perm.ORG_EDIT, library)
    if event is not None:
        require_perm(actor, Perm.ORG_EDIT, event.library)
    if data["ends_at"] < data["starts_at"]:
        raise ValidationError(_("Giờ kết thúc phải sau giờ bắt đầu."))
    event = event or Event()
    if event.pk and data.get("seats") is not None and data["seats"] < event_taken(event):
        raise ValidationError(_("Đã có %(n)s người đăng ký: không giảm số chỗ dưới mức đó.") % {"n": event_taken(event)})
    before = snapshot(event, EVENT_FIELDS) if event.pk else {}
    event.library = library
    for key in EVENT_FIELDS[1:]:
        if key in data:
            setattr(event, key, data[key])
    event.body = clean_html(event.body)
    event.save()
    audit(actor=actor, action="portal.event_save", obj=event, unit=library, changes=diff(before, snapshot(event, EVENT_FIELDS)))
    return event


def event_taken(event: Event) -> int:
    return Registration.objects.filter(event=event, state__in=[RegistrationState.REGISTERED,
                                                               RegistrationState.ATTENDED]).count()


class RegistrationRefused(ValidationError):
    pass


@transaction.atomic
def registration_create(*, event: Event, user: User | None, name: str, phone: str, consent: bool) -> Registration:
    """Take a seat at `event` for a logged-in reader or a visitor (name, phone and consent needed);
    refused when the event is full, closed, past or the reader is already registered."""
    event = Event.objects.select_for_update().get(pk=event.pk)  # seats are counted under the event's lock
    now = timezone.now()
    if not event.is_published or not event.registration_open or event.ends_at < now:
        raise RegistrationRefused(_("Sự kiện này không nhận đăng ký."))
    name, phone = name.strip(), phone.strip()
    reader = user is not None and user.is_authenticated
    if reader:
        name = name or user.display_name or user.get_username()  # type: ignore[union-attr]
        if Registration.objects.filter(event=event, user=user, state=RegistrationState.REGISTERED).exists():
            raise RegistrationRefused(_("Bạn đã đăng ký sự kiện này."))
    else:
        errors = []
        if not name:
            errors.append(_("Cần có họ tên."))
        if len([c for c in phone if c.isdigit()]) < 9:
            errors.append(_("Số điện thoại không hợp lệ."))
        if not consent:
            errors.append(_("Cần đồng ý để thư viện dùng thông tin liên hệ."))
        if errors:
            raise RegistrationRefused(errors)
    if event.seats is not None and event_taken(event) >= event.seats:
        raise RegistrationRefused(_("Sự kiện đã hết chỗ."))
    try:
        reg = Registration.objects.create(
            event=event, user=user if reader else None, name=name[:200], phone=phone[:30],
            consent_text="" if reader else str(CONSENT_WORDING), consent_at=None if reader else now)
    except IntegrityError as exc:
        raise RegistrationRefused(_("Bạn đã đăng ký sự kiện này.")) from exc
    audit(actor=user if reader else None, action="portal.registration_create", obj=reg, unit=event.library,
          object_repr=f"{event.title} #{reg.pk}")
    return reg


@transaction.atomic
def registration_cancel(*, registration: Registration, user: User | None = None, token: str = "") -> Registration:
    """Cancel a seat: by its reader, by whoever holds its token (a visitor), or by staff of the event's library."""
    reg = Registration.objects.select_for_update().select_related("event__library").get(pk=registration.pk)
    owner = user is not None and user.is_authenticated and reg.user_id == user.pk
    if not owner and not (token and token == reg.token):
        require_perm(user, Perm.ORG_EDIT, reg.event.library)
    registration_transition(reg, RegistrationState.CANCELLED)
    reg.save(update_fields=["state", "updated_at"])
    audit(actor=user if user is not None and user.is_authenticated else None, action="portal.registration_cancel",
          obj=reg, unit=reg.event.library, object_repr=f"{reg.event.title} #{reg.pk}")
    return reg


@transaction.atomic
def attendance_record(*, actor: User, event: Event, count: int | None = None,
                      attended_ids: list[int] | None = None) -> Event:
    """Record who came (per registration) and/or how many came in all; writes the statistics facts:
    one `event` the first time, and `attendance` as the difference from what was recorded before
    (a correction appends the difference, so recording the same figure twice writes nothing)."""
    event = Event.objects.select_for_update().select_related("library").get(pk=event.pk)
    require_perm(actor, Perm.ORG_EDIT, event.library)
    if event.starts_at > timezone.now():
        raise ValidationError(_("Sự kiện chưa diễn ra."))
    if attended_ids is not None:
        chosen = set(attended_ids)
        for reg in event.registrations.select_for_update().exclude(state=RegistrationState.CANCELLED):
            want = RegistrationState.ATTENDED if reg.pk in chosen else RegistrationState.ABSENT
            if reg.state != want:
                registration_transition(reg, want)
                reg.save(update_fields=["state", "updated_at"])
        if count is None:
            count = len(chosen & set(event.registrations.filter(state=RegistrationState.ATTENDED)
                                     .values_list("pk", flat=True)))
    if count is None or count < 0:
        raise ValidationError(_("Số người tham dự không hợp lệ."))
    before = event.attendance
    day = timezone.localtime(event.starts_at).date()
    if before is None:
        event_record(kind="event", unit=event.library, day=day)
    delta = count - (before or 0)
    if delta:
        event_record(kind="attendance", unit=event.library, count=delta, day=day)
    Event.objects.filter(pk=event.pk).update(attendance=count, updated_at=timezone.now())
    event.attendance = count
    audit(actor=actor, action="portal.attendance_record", obj=event, unit=event.library,
          changes={"attendance": [before, count]})
    return event


def registrations_forget_contacts(*, before: dt.datetime) -> int:
    """Blank the name and phone of visitors' registrations for events that ended before `before`."""
    qs = Registration.objects.filter(user__isnull=True, event__ends_at__lt=before).exclude(name="", phone="")
    return qs.update(name="", phone="", updated_at=timezone.now())


def _on_patron_erasing(sender: Any, *, patron: Any, actor: Any = None, **kwargs: Any) -> None:
    """A reader is erased: their event registrations keep no name and their saved lists go."""
    if not patron.user_id:
        return
    Registration.objects.filter(user_id=patron.user_id).update(name="", phone="", user=None,
                                                                updated_at=timezone.now())
    SavedList.objects.filter(owner_id=patron.user_id).delete()


def cover_fetch_request(*, actor: User, record: BibRecord) -> bool:
    """Ask the background worker to fetch `record`'s cover from the cover service (False when it is off)."""
    _cover_perm(actor, record)
    if not getattr(settings, "THUVIEN_COVER_SERVICE_URL", ""):
        return False
    from thuvien.portal.tasks import cover_fetch_task

    transaction.on_commit(lambda: cover_fetch_task.enqueue(record.pk))
    return True


# --- covers ----------------------------------------------------------------------------------------

def _cover_files(data: bytes) -> tuple[bytes, bytes]:
    """(a JPEG of the cover at most 1200 px high, a JPEG thumbnail) from image bytes."""
    from PIL import Image, ImageOps

    img = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    big = img.copy()
    big.thumbnail((800, 1200))
    out_big, out_thumb = io.BytesIO(), io.BytesIO()
    big.save(out_big, "JPEG", quality=85)
    img.thumbnail(THUMB_SIZE)
    img.save(out_thumb, "JPEG", quality=80)
    return out_big.getvalue(), out_thumb.getvalue()


def _delete_files(storage: Any, names: list[Any]) -> None:
    for name in names:
        if name:
            storage.delete(name)


def _cover_store(record: BibRecord, data: bytes, source: str) -> RecordCover:
    big, thumb = _cover_files(data)
    cover = RecordCover.objects.filter(record=record).first() or RecordCover(record=record)
    old = [f.name for f in (cover.image, cover.thumbnail) if cover.pk and f]
    cover.source = source
    cover.image.save("cover.jpg", ContentFile(big), save=False)
    cover.thumbnail.save("thumb.jpg", ContentFile(thumb), save=False)
    cover.save()
    storage = cover.image.storage
    transaction.on_commit(lambda: _delete_files(storage, old))
    return cover


def _cover_perm(actor: User, record: BibRecord) -> None:
    """A record belongs to the union catalogue: a cataloguer at a library holding a copy, or at the root."""
    units = [i.library for i in record.items.select_related("library")]
    from thuvien.core.permissions import has_perm
    if not (has_perm(actor, Perm.CATALOG_EDIT, None) or any(has_perm(actor, Perm.CATALOG_EDIT, u) for u in units)):
        raise PermissionDenied(_("Bạn không có quyền thay ảnh bìa của biểu ghi này."))


@transaction.atomic
def cover_upload(*, actor: User, record: BibRecord, image: UploadedFile) -> RecordCover:
    """Store an uploaded cover and its thumbnail locally (replacing an older cover)."""
    _cover_perm(actor, record)
    image_check(image)
    cover = _cover_store(record, image.read(), "upload")
    audit(actor=actor, action="portal.cover_upload", obj=record, object_repr=record.title[:200])
    return cover


@transaction.atomic
def cover_delete(*, actor: User, record: BibRecord) -> None:
    _cover_perm(actor, record)
    cover = RecordCover.objects.filter(record=record).first()
    if cover is not None:
        names = [cover.image.name, cover.thumbnail.name]
        storage = cover.image.storage
        cover.delete()
        transaction.on_commit(lambda: _delete_files(storage, names))
        audit(actor=actor, action="portal.cover_delete", obj=record, object_repr=record.title[:200])


def cover_fetch(*, record: BibRecord) -> RecordCover | None:
    """Fetch a cover for `record` by ISBN from THUVIEN_COVER_SERVICE_URL (Open Library style,
    "{isbn}" in the URL) through the outbound guard; nothing when off, no ISBN or no image.
    Runs in the background task `cover_fetch_task`, never in a request."""
    from thuvien.core.outbound import OutboundError, fetch

    template = getattr(settings, "THUVIEN_COVER_SERVICE_URL", "")
    isbns = [i for i in record.isbns or [] if isinstance(i, str)]
    if not template or not isbns or RecordCover.objects.filter(record=record).exists():
        return None
    try:
        data = fetch(template.replace("{isbn}", isbns[0]), timeout=20)
    except OutboundError:
        return None
    if len(data) < 1000 or len(data) > MAX_IMAGE_BYTES:  # Open Library answers a 1x1 pixel when it has none
        return None
    try:
        with transaction.atomic():
            return _cover_store(record, data, "service")
    except OSError:
        return None


# --- saved lists -----------------------------------------------------------------------------------

def _own(actor: User, saved: SavedList) -> None:
    if saved.owner_id != actor.pk:
        raise PermissionDenied(_("Đây không phải danh sách của bạn."))


@transaction.atomic
def list_create(*, actor: User, name: str) -> SavedList:
    """A new private list of the reader `actor`."""
    name = name.strip()[:120]
    if not name:
        raise ValidationError(_("Cần có tên danh sách."))
    if SavedList.objects.filter(owner=actor).count() >= 100:
        raise ValidationError(_("Mỗi bạn đọc có tối đa 100 danh sách."))
    saved = SavedList.objects.create(owner=actor, name=name)
    audit(actor=actor, action="portal.list_create", obj=saved)
    return saved


@transaction.atomic
def list_update(*, actor: User, saved: SavedList, name: str, is_shared: bool) -> SavedList:
    """Rename a list or share/unshare it (un-sharing then sharing again gives a new link)."""
    _own(actor, saved)
    name = name.strip()[:120]
    if not name:
        raise ValidationError(_("Cần có tên danh sách."))
    if saved.is_shared and not is_shared:
        from thuvien.portal.models import _token
        saved.share_token = _token()
    before = snapshot(saved, ["name", "is_shared"])
    saved.name, saved.is_shared = name, is_shared
    saved.save()
    audit(actor=actor, action="portal.list_update", obj=saved, changes=diff(before, snapshot(saved, ["name", "is_shared"])))
    return saved


@transaction.atomic
def list_delete(*, actor: User, saved: SavedList) -> None:
    _own(actor, saved)
    audit(actor=actor, action="portal.list_delete", obj=saved)
    saved.delete()


@transaction.atomic
def list_add(*, actor: User, saved: SavedList, record: BibRecord) -> bool:
    """Add a record to a list; False when it was there already."""
    _own(actor, saved)
    if saved.entries.count() >= 1000:
        raise ValidationError(_("Một danh sách có tối đa 1.000 biểu ghi."))
    _entry, created = SavedListEntry.objects.get_or_create(saved_list=saved, record=record)
    SavedList.objects.filter(pk=saved.pk).update(updated_at=timezone.now())
    return created


@transaction.atomic
def list_remove(*, actor: User, saved: SavedList, record_id: int) -> None:
    _own(actor, saved)
    SavedListEntry.objects.filter(saved_list=saved, record_id=record_id).delete()
    SavedList.objects.filter(pk=saved.pk).update(updated_at=timezone.now())
