"""A unit's logo for reader cards: upload (PNG or JPEG, size and dimensions checked, kept in the local
media storage), removal, and the logo a card printed for a library uses (its own or the nearest
ancestor's). Writes check the unit-edit permission at the unit and write their audit entry."""

from __future__ import annotations

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from thuvien.catalog.models import LibraryLogo
from thuvien.core.audit import audit
from thuvien.core.models import OrgUnit, User
from thuvien.core.permissions import Perm, require_perm

MAX_LOGO_BYTES = 512 * 1024
MIN_SIDE, MAX_SIDE = 32, 2000  # pixels
FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg")}


def logo_check(data: bytes) -> tuple[str, str, int, int]:
    """(content type, extension, width, height) of an acceptable logo, else a ValidationError saying why."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(_("Logo quá lớn (%(n)s KB); tối đa %(m)s KB.") % {
            "n": (len(data) + 1023) // 1024, "m": MAX_LOGO_BYTES // 1024})
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("Tệp không phải ảnh PNG hoặc JPEG đọc được.")) from exc
    if kind not in FORMATS:
        raise ValidationError(_("Logo phải là ảnh PNG hoặc JPEG (tệp này là %(f)s).") % {"f": kind})
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ValidationError(_("Logo phải có mỗi chiều từ %(a)s đến %(b)s điểm ảnh (ảnh này %(w)s × %(h)s).") % {
            "a": MIN_SIDE, "b": MAX_SIDE, "w": width, "h": height})
    content_type, ext = FORMATS[kind]
    return content_type, ext, width, height


@transaction.atomic
def library_logo_set(*, actor: User, unit: OrgUnit, data: bytes) -> LibraryLogo:
    """Set (or replace) the unit's logo after checking it; the old file is removed once this commits."""
    require_perm(actor, Perm.ORG_EDIT, unit)
    content_type, ext, width, height = logo_check(data)
    logo = LibraryLogo.objects.select_for_update().filter(unit=unit).first()
    old_name = logo.image.name if logo is not None and logo.image else ""
    if logo is None:
        logo = LibraryLogo(unit=unit)
    logo.content_type, logo.width, logo.height, logo.uploaded_by = content_type, width, height, actor
    logo.image.save(f"{unit.code.lower()}-{uuid.uuid4().hex[:8]}.{ext}", ContentFile(data), save=False)
    logo.save()
    if old_name:
        storage = logo.image.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    audit(actor=actor, action="library_logo.set", obj=logo, unit=unit, object_repr=unit.code,
          changes={"logo": [old_name or None, logo.image.name], "size": [None, f"{width}x{height}"]})
    return logo


@transaction.atomic
def library_logo_remove(*, actor: User, unit: OrgUnit) -> None:
    """Remove the unit's logo (cards then use an ancestor's, or none)."""
    require_perm(actor, Perm.ORG_EDIT, unit)
    logo = LibraryLogo.objects.select_for_update().filter(unit=unit).first()
    if logo is None:
        return
    name, storage = logo.image.name or "", logo.image.storage
    logo.delete()
    transaction.on_commit(lambda: storage.delete(name))
    audit(actor=actor, action="library_logo.remove", unit=unit, object_type="catalog.librarylogo",
          object_id=str(unit.pk), object_repr=unit.code, changes={"logo": [name, None]})


def logo_for(unit: OrgUnit) -> LibraryLogo | None:
    """The logo of `unit`, else of its nearest ancestor that has one."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part.isdigit()]
    logos = {logo.unit_id: logo for logo in LibraryLogo.objects.filter(unit_id__in=ids)}
    return next((logos[i] for i in reversed(ids) if i in logos), None)


def logo_bytes(unit: OrgUnit) -> bytes | None:
    """The bytes of the logo a card printed for `unit` shows, or None."""
    logo = logo_for(unit)
    if logo is None:
        return None
    try:
        with logo.image.open("rb") as f:
            return f.read()
    except OSError:  # the file went missing from the storage: print the card without it
        return None
