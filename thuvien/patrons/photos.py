"""A reader's portrait for the card: uploaded at the desk (PNG or JPEG, size and dimensions checked),
re-encoded as a JPEG of at most 600 px on its longer side so no metadata (camera, GPS position) is kept,
stored in the local media storage; replacing or removing it deletes the old file once the change commits.
Staff who may edit readers at the reader's home library do it, and the audit entry never holds the image."""

from __future__ import annotations

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from thuvien.core.audit import audit
from thuvien.core.models import User
from thuvien.core.permissions import Perm, require_perm
from thuvien.patrons.models import Patron

MAX_PHOTO_BYTES = 4 * 1024 * 1024
MIN_SIDE, MAX_SIDE, STORED_SIDE = 80, 8000, 600  # pixels


def photo_prepare(data: bytes) -> bytes:
    """The JPEG to store for an uploaded portrait, or a ValidationError saying why it is refused."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise ValidationError(_("Hãy chọn một tệp ảnh."))
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError(_("Ảnh quá lớn (%(n)s KB); tối đa %(m)s KB.") % {
            "n": (len(data) + 1023) // 1024, "m": MAX_PHOTO_BYTES // 1024})
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise ValidationError(_("Ảnh chân dung phải là ảnh PNG hoặc JPEG (tệp này là %(f)s).") % {
                    "f": image.format})
            width, height = image.size
            if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
                raise ValidationError(_("Ảnh phải có mỗi chiều từ %(a)s đến %(b)s điểm ảnh (ảnh này %(w)s × %(h)s).")
                                      % {"a": MIN_SIDE, "b": MAX_SIDE, "w": width, "h": height})
            portrait = ImageOps.exif_transpose(image).convert("RGB")
            portrait.thumbnail((STORED_SIDE, STORED_SIDE))
            out = io.BytesIO()
            portrait.save(out, "JPEG", quality=85)  # a fresh file: no EXIF, no GPS position
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("Tệp không phải ảnh PNG hoặc JPEG đọc được.")) from exc
    return out.getvalue()


@transaction.atomic
def patron_photo_set(*, actor: User, patron: Patron, data: bytes | None) -> Patron:
    """Set (data) or remove (None) the reader's portrait; the old file goes once this commits."""
    patron = Patron.objects.select_for_update().select_related("home_library").get(pk=patron.pk)
    require_perm(actor, Perm.PATRON_EDIT, patron.home_library)
    jpeg = photo_prepare(data) if data is not None else None
    old_name = patron.photo.name if patron.photo else ""
    if jpeg is not None:
        patron.photo.save(f"{uuid.uuid4().hex}.jpg", ContentFile(jpeg), save=False)
    else:
        patron.photo = ""  # type: ignore[assignment]
    patron.save(update_fields=["photo", "updated_at"])
    if old_name:
        storage = patron.photo.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    audit(actor=actor, action="patron.photo_set" if jpeg is not None else "patron.photo_remove", obj=patron,
          unit=patron.home_library, object_repr=patron.card_number,
          changes={"photo": [bool(old_name), jpeg is not None]})
    return patron
