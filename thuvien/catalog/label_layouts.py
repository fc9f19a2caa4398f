"""Label and card sheet layouts: reads (the layouts a staff member may print with) and writes (create,
copy, change, delete a library's own layout). Built-in presets belong to no library and are read-only;
a library's layouts are managed by staff who catalogue or run the desk there. Writes check that the
labels fit on the page (`labels.layout_problems`), own their transaction and write their audit entry."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from thuvien.catalog import labels as L
from thuvien.catalog.models import LabelLayout
from thuvien.core.audit import audit, diff, snapshot
from thuvien.core.models import OrgUnit, User
from thuvien.core.permissions import Perm, has_perm, scope_q

LAYOUT_FIELDS = ("name", "description", "page_width", "page_height", "cols", "rows", "label_width", "label_height",
                 "margin_top", "margin_left", "pitch_x", "pitch_y", "offset_x", "offset_y")
DECIMAL_FIELDS = ("page_width", "page_height", "label_width", "label_height", "margin_top", "margin_left", "pitch_x",
                  "pitch_y", "offset_x", "offset_y")
PRINT_PERMS = (Perm.CATALOG_EDIT, Perm.CIRC_DESK)


def may_manage(user: User | None, library: OrgUnit | None) -> bool:
    """True when `user` may change layouts of `library` (built-in presets: nobody; they are copied)."""
    return library is not None and any(has_perm(user, perm, library) for perm in PRINT_PERMS)


def label_layout_list(*, user: User) -> QuerySet[LabelLayout]:
    """The built-in presets and the layouts of every library where `user` prints labels or cards."""
    scopes = [scope_q(user, perm, "library__") for perm in PRINT_PERMS]
    layouts = LabelLayout.objects.all()
    if not any(q == Q() for q in scopes):  # Q() is "everywhere" (a superuser)
        mine = Q(library__isnull=True)
        for q in scopes:
            mine |= q
        layouts = layouts.filter(mine)
    return layouts.select_related("library").order_by(F("library__path").asc(nulls_first=True), "name")


def label_layout_get(*, name: str) -> LabelLayout | None:
    """The layout with this name (for the `thuvien labels --layout NAME` command), or None."""
    return LabelLayout.objects.select_related("library").filter(name=name.strip()).first()


def _clean(data: dict[str, Any], *, exclude_pk: int | None) -> dict[str, Any]:
    """The layout's values, checked together: every problem is raised at once, keyed by field."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    name = str(data.get("name", "")).strip()
    if not name or len(name) > 64 or not name.isprintable():
        errors["name"] = [_("Cần có tên khổ nhãn (tối đa 64 ký tự).")]
    elif LabelLayout.objects.filter(name=name).exclude(pk=exclude_pk or 0).exists():
        errors["name"] = [_("Đã có khổ nhãn tên “%(n)s”.") % {"n": name}]
    values["name"] = name
    values["description"] = str(data.get("description", "") or "").strip()[:200]
    for key in ("cols", "rows"):
        try:
            values[key] = int(data.get(key))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors[key] = [_("Hãy nhập một số nguyên.")]
    for key in DECIMAL_FIELDS:
        raw = data.get(key, 0 if key.startswith(("offset", "margin")) else None)
        try:
            value = Decimal(str(raw).replace(",", ".")).quantize(Decimal("0.01"))
            if not value.is_finite() or abs(value) >= 10000:
                raise InvalidOperation
            values[key] = value
        except (InvalidOperation, ValueError):
            errors[key] = [_("Hãy nhập một số (mm).")]
    if not errors:
        problems = L.layout_problems(LabelLayout(**values).as_layout())
        errors.update({k: [v] for k, v in problems.items()})
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def label_layout_create(*, actor: User, library: OrgUnit, data: dict[str, Any]) -> LabelLayout:
    """A new layout of `library` (a copy of a preset with its own measurements, or made from scratch)."""
    if not may_manage(actor, library):
        raise PermissionDenied(_("Bạn không có quyền quản lý khổ nhãn của %(u)s.") % {"u": library.name})
    values = _clean(data, exclude_pk=None)
    layout = LabelLayout.objects.create(library=library, **values)
    audit(actor=actor, action="label_layout.create", obj=layout, unit=library,
          changes={k: [None, str(v)] for k, v in values.items() if v not in ("", None)}, object_repr=layout.name)
    return layout


@transaction.atomic
def label_layout_update(*, actor: User, layout: LabelLayout, data: dict[str, Any]) -> LabelLayout:
    """Change a library's layout (built-in presets cannot be changed: copy them)."""
    layout = LabelLayout.objects.select_for_update(of=("self",)).select_related("library").get(pk=layout.pk)
    if layout.library is None:
        raise PermissionDenied(_("Khổ nhãn có sẵn không sửa được; hãy sao chép rồi sửa bản sao."))
    if not may_manage(actor, layout.library):
        raise PermissionDenied(_("Bạn không có quyền quản lý khổ nhãn của %(u)s.") % {"u": layout.library.name})
    values = _clean(data, exclude_pk=layout.pk)
    before = snapshot(layout, list(LAYOUT_FIELDS))
    for key, value in values.items():
        setattr(layout, key, value)
    layout.save()
    changes = diff(before, snapshot(layout, list(LAYOUT_FIELDS)))
    audit(actor=actor, action="label_layout.update", obj=layout, unit=layout.library, changes=changes,
          object_repr=layout.name)
    return layout


@transaction.atomic
def label_layout_delete(*, actor: User, layout: LabelLayout) -> None:
    """Delete a library's layout (built-in presets stay)."""
    if layout.library is None:
        raise PermissionDenied(_("Khổ nhãn có sẵn không xoá được."))
    if not may_manage(actor, layout.library):
        raise PermissionDenied(_("Bạn không có quyền quản lý khổ nhãn của %(u)s.") % {"u": layout.library.name})
    audit(actor=actor, action="label_layout.delete", obj=layout, unit=layout.library, object_repr=layout.name)
    layout.delete()
