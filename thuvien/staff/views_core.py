"""Staff pages for the network tree, unit editing and the audit log (thin: services do the work)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from thuvien.catalog import selectors as catalog_selectors
from thuvien.circulation import selectors as circ_selectors
from thuvien.core import selectors, services
from thuvien.core.authn import StaffAuthenticationForm, client_ip, login_record, login_refusal
from thuvien.core.models import LoginEvent, OrgUnit, User
from thuvien.core.permissions import Perm, has_perm
from thuvien.core.twofactor import (
    PENDING_2FA,
    SECOND_FACTOR_OK,
    has_second_factor,
    must_use_second_factor,
    second_factor_verify,
    totp_confirm,
    totp_pending,
    totp_secret,
    totp_uri,
)
from thuvien.core.unit_settings import REGISTRY, WEEKDAYS, SettingDef, setting_resolve
from thuvien.staff import audit_display
from thuvien.staff.forms import MergeForm, MoveForm, UnitCreateForm, UnitForm


class LoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        """Password right: log in, or first ask for the second factor when the user has one."""
        user = form.get_user()
        if has_second_factor(user):
            self.request.session[PENDING_2FA] = {"user": user.pk, "backend": user.backend,
                                                 "next": self.get_success_url()}
            return redirect("staff:login_code")
        return super().form_valid(form)


def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of a staff login: a code from the authenticator app or a recovery code."""
    pending = request.session.get(PENDING_2FA)
    if not isinstance(pending, dict):
        return redirect("staff:login")
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    if user is None:
        return redirect("staff:login")
    error = ""
    if request.method == "POST":
        error = login_refusal(username=user.get_username(), ip=client_ip(request))
        if not error and second_factor_verify(user, request.POST.get("code", "")):
            del request.session[PENDING_2FA]
            login(request, user, backend=pending["backend"])
            request.session[SECOND_FACTOR_OK] = True
            return redirect(url_has_allowed_host_and_scheme(pending.get("next"), allowed_hosts={request.get_host()})
                            and pending["next"] or "staff:home")
        if not error:
            login_record(kind=LoginEvent.Kind.FAILED, door="staff", username=user.get_username(), request=request,
                         user=user)
            error = _("Mã không đúng hoặc đã hết hạn.")
    return render(request, "staff/login_code.html", {"error": error})


@login_required
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app (required for network administrators and managers in production)."""
    user: Any = request.user
    device = totp_pending(user)
    codes: list[str] | None = None
    error = ""
    if request.method == "POST":
        codes = totp_confirm(user=user, device=device, code=request.POST.get("code", ""))
        if codes is None:
            error = _("Mã không đúng; hãy nhập mã 6 số đang hiện trên ứng dụng.")
        else:
            request.session[SECOND_FACTOR_OK] = True
    return render(request, "staff/second_factor.html", {
        "secret": totp_secret(device), "uri": totp_uri(device, user), "codes": codes, "error": error,
        "enabled": has_second_factor(user), "required": must_use_second_factor(user)})


def setting_display(definition: SettingDef, value: Any) -> str:
    """A setting's value as a librarian reads it: Có/Không, weekday names, dates as 30/04/2027."""
    if definition.type == "bool":
        return _("Có") if value else _("Không")
    if definition.type == "weekdays":
        return ", ".join(str(WEEKDAYS[d]) for d in value) or "—"
    if definition.type == "dates":
        return ", ".join(dt.date.fromisoformat(d).strftime("%d/%m/%Y") for d in value) or "—"
    if definition.type == "int":
        return number_format(value, force_grouping=True)
    if definition.type == "json":
        return json.dumps(value, ensure_ascii=False)
    return str(value) or "—"


def _setting_edit_text(definition: SettingDef, value: Any) -> str:
    if definition.type == "dates":
        return "\n".join(dt.date.fromisoformat(d).strftime("%d/%m/%Y") for d in value)
    if definition.type == "json":
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return render(request, "staff/refused.html", {"reason": str(exc)}, status=403)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The staff home: for each role, what that person acts on today at their own library."""
    user = request.user
    grants = list(user.grants.select_related("unit").order_by("unit__path"))  # type: ignore[union-attr]
    unit = user.home_unit or (grants[0].unit if grants else None)  # type: ignore[union-attr]
    blocks: dict[str, Any] = {}
    if unit is not None:
        if has_perm(user, Perm.CIRC_DESK, unit):  # type: ignore[arg-type]
            blocks["desk"] = circ_selectors.desk_today(library=unit)
        if has_perm(user, Perm.CATALOG_EDIT, unit):  # type: ignore[arg-type]
            blocks["catalog"] = catalog_selectors.cataloguer_today(user=user, unit=unit)
        if has_perm(user, Perm.STAFF_MANAGE, unit):  # type: ignore[arg-type]
            blocks["manager"] = circ_selectors.subtree_counts(unit=unit)
    return render(request, "staff/home.html", {"grants": grants, "unit": unit, "blocks": blocks})


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    show_inactive = request.GET.get("inactive") == "1"
    return render(request, "staff/tree.html", {"roots": selectors.unit_tree(include_inactive=show_inactive),
                                               "show_inactive": show_inactive,
                                               "can_restructure": has_perm(request.user, Perm.ORG_RESTRUCTURE, None)})  # type: ignore[arg-type]


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(OrgUnit.objects.select_related("kind", "parent"), code=code)
    user = request.user
    settings_rows = []
    for definition in REGISTRY.values():
        resolved = setting_resolve(unit, definition.key)
        settings_rows.append((definition, {
            "shown": setting_display(definition, resolved.value), "value": resolved.value,
            "source": resolved.source, "own": resolved.source == unit,
            "edit_text": _setting_edit_text(definition, resolved.value),
            "weekdays": [(i, str(name), i in (resolved.value or [])) for i, name in enumerate(WEEKDAYS)]
            if definition.type == "weekdays" else (),
        }))
    return render(request, "staff/unit_detail.html", {
        "unit": unit,
        "ancestors": selectors.unit_ancestors(unit),
        "children": unit.children.select_related("kind").order_by("name"),
        "can_edit": has_perm(user, Perm.ORG_EDIT, unit),  # type: ignore[arg-type]
        "can_restructure": has_perm(user, Perm.ORG_RESTRUCTURE, unit),  # type: ignore[arg-type]
        "settings_rows": settings_rows,
    })


@login_required
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(OrgUnit, code=code)
    if not has_perm(request.user, Perm.ORG_EDIT, unit):  # type: ignore[arg-type]
        return _refused(request, PermissionDenied(_("Bạn không có quyền sửa đơn vị %(unit)s.") % {"unit": unit.name}))
    form = UnitForm(request.POST or None, initial={
        "name": unit.name, "short_name": unit.short_name, "kind": unit.kind_id, "address": unit.address,
        "phone": unit.phone, "email": unit.email, "website": unit.website, "opening_hours": unit.opening_hours,
    })
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["kind_id"] = data.pop("kind").pk
        try:
            services.unit_update(actor=request.user, unit=unit, data=data)  # type: ignore[arg-type]
        except PermissionDenied as exc:
            return _refused(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("staff:unit", code=unit.code)
    return render(request, "staff/unit_form.html", {"form": form, "unit": unit})


@login_required
def unit_add(request: HttpRequest, code: str) -> HttpResponse:
    parent = get_object_or_404(OrgUnit, code=code)
    if not has_perm(request.user, Perm.ORG_EDIT, parent):  # type: ignore[arg-type]
        return _refused(request, PermissionDenied(_("Bạn không có quyền thêm đơn vị tại %(unit)s.") % {"unit": parent.name}))
    form = UnitCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            unit = services.unit_create(actor=request.user, parent=parent, code=data.pop("code"),  # type: ignore[arg-type]
                                        name=data.pop("name"), kind=data.pop("kind"), **data)
        except PermissionDenied as exc:
            return _refused(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã thêm đơn vị."))
            return redirect("staff:unit", code=unit.code)
    return render(request, "staff/unit_form.html", {"form": form, "parent": parent})


@login_required
def unit_move(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(OrgUnit, code=code)
    form = MoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_move(actor=request.user, unit=unit, new_parent=form.cleaned_data["new_parent"])  # type: ignore[arg-type]
        except PermissionDenied as exc:
            return _refused(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã chuyển đơn vị."))
            return redirect("staff:unit", code=unit.code)
    return render(request, "staff/unit_move.html", {"form": form, "unit": unit})


@login_required
def network_merge(request: HttpRequest, code: str) -> HttpResponse:
    source = get_object_or_404(OrgUnit, code=code)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            counts = services.network_merge(actor=request.user, source=source,  # type: ignore[arg-type]
                                            target=form.cleaned_data["target"])
        except PermissionDenied as exc:
            return _refused(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã hợp nhất: %(n)s đơn vị được chuyển.") % {"n": counts["units_moved"]})
            return redirect("staff:unit", code=form.cleaned_data["target"].code)
    return render(request, "staff/unit_merge.html", {"form": form, "unit": source})


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    unit = OrgUnit.objects.filter(code=request.GET.get("unit", "")).first()
    qs = selectors.audit_list(user=request.user, unit=unit, action=request.GET.get("action", ""),  # type: ignore[arg-type]
                              actor=request.GET.get("actor", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    actions = [(code, audit_display.action_label(code)) for code in audit_display.known_actions()]
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(request, "staff/audit.html", {"page": page, "rows": audit_display.audit_rows(page), "unit": unit,
                                                "params": request.GET, "actions": actions, "keep": keep.urlencode()})
