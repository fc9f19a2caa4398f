"""Staff pages for accounts and roles, unit kinds and setting overrides (thin over core services)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from thuvien.core import selectors, services
from thuvien.core.models import OrgUnit, OutboundAllow, RoleGrant, UnitKind, User
from thuvien.core.params import int_param
from thuvien.core.permissions import Perm, has_perm
from thuvien.core.unit_settings import REGISTRY
from thuvien.staff.forms import GrantForm, OutboundAllowForm, StaffCreateForm, UnitKindForm
from thuvien.staff.views_core import _refused


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.staff_in_scope(user=request.user).prefetch_related("grants__unit").order_by("username")  # type: ignore[arg-type]
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = services.staff_create(actor=request.user, username=d["username"], password=d["password"],  # type: ignore[arg-type]
                                         home_unit=d["home_unit"], display_name=d["display_name"], email=d["email"])
        except PermissionDenied as exc:
            return _refused(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã tạo tài khoản %(u)s.") % {"u": user.username})
            return redirect("staff:staff_detail", username=user.username)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "staff/staff_list.html", {"page": page, "form": form})


@login_required
def staff_detail(request: HttpRequest, username: str) -> HttpResponse:
    member = get_object_or_404(User.objects.select_related("home_unit"), username=username)
    if member.home_unit is None or not has_perm(request.user, Perm.STAFF_MANAGE, member.home_unit):  # type: ignore[arg-type]
        return _refused(request, PermissionDenied(_("Bạn không quản lý tài khoản này.")))
    form = GrantForm(request.POST or None)
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                grant = get_object_or_404(RoleGrant, pk=int_param(request.POST["revoke"]), user=member)
                services.role_revoke(actor=request.user, grant=grant)  # type: ignore[arg-type]
                messages.success(request, _("Đã thu hồi vai trò."))
                return redirect("staff:staff_detail", username=username)
            if form.is_valid():
                services.role_grant(actor=request.user, user=member, unit=form.cleaned_data["unit"],  # type: ignore[arg-type]
                                    role=form.cleaned_data["role"])
                messages.success(request, _("Đã cấp vai trò."))
                return redirect("staff:staff_detail", username=username)
        except PermissionDenied as exc:
            return _refused(request, exc)
    grants = member.grants.select_related("unit").order_by("unit__path")
    return render(request, "staff/staff_detail.html", {"member": member, "grants": grants, "form": form})


@login_required
def unit_setting(request: HttpRequest, code: str) -> HttpResponse:
    """Save one setting override from its typed widget (or remove it with "inherit")."""
    unit = get_object_or_404(OrgUnit, code=code)
    definition = REGISTRY.get(request.POST.get("key", ""))
    if request.method != "POST" or definition is None:
        return redirect("staff:unit", code=code)
    value: Any
    if "inherit" in request.POST:
        value = None
    elif definition.type == "bool":
        value = request.POST.get("value") == "on"
    elif definition.type == "weekdays":
        value = request.POST.getlist("value")
    else:
        value = request.POST.get("value", "")
    try:
        services.unit_setting_set(actor=request.user, unit=unit, key=definition.key, value=value)  # type: ignore[arg-type]
    except PermissionDenied as exc:
        return _refused(request, exc)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("Đã lưu thiết lập “%(label)s”.") % {"label": definition.label})
    return redirect(f"{reverse('staff:unit', args=[code])}#setting-{definition.key.replace('.', '-')}")


@login_required
def unit_kinds(request: HttpRequest) -> HttpResponse:
    form = UnitKindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.unit_kind_save(actor=request.user, code=data.pop("code"), data=data)  # type: ignore[arg-type]
        except PermissionDenied as exc:
            return _refused(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu loại đơn vị."))
            return redirect("staff:unit_kinds")
    return render(request, "staff/unit_kinds.html", {
        "kinds": UnitKind.objects.all(), "form": form,
        "can_edit": has_perm(request.user, Perm.ORG_RESTRUCTURE, None),  # type: ignore[arg-type]
    })


@login_required
def outbound_allow_list(request: HttpRequest) -> HttpResponse:
    """The network administrator's outbound allow-list: internal hosts and address blocks that harvests
    and copy-cataloguing targets may reach (the environment setting's entries are shown, read-only)."""
    user: Any = request.user
    if not has_perm(user, Perm.ORG_RESTRUCTURE, None):
        return _refused(request, PermissionDenied(_("Chỉ quản trị mạng lưới được sửa danh sách máy chủ được phép.")))
    form = OutboundAllowForm(request.POST or None)
    if request.method == "POST":
        if "remove" in request.POST:
            pk = request.POST["remove"]
            allow = OutboundAllow.objects.filter(pk=int(pk)).first() if pk.isdigit() and len(pk) < 12 else None
            if allow is not None:
                services.outbound_allow_remove(actor=user, allow=allow)
                messages.success(request, _("Đã bỏ “%(e)s” khỏi danh sách.") % {"e": allow.entry})
            return redirect("staff:outbound")
        if form.is_valid():
            try:
                allow = services.outbound_allow_add(actor=user, entry=form.cleaned_data["entry"],
                                                    note=form.cleaned_data["note"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã cho phép “%(e)s”.") % {"e": allow.entry})
                return redirect("staff:outbound")
    from thuvien.digital.conf import ocfl_s3_settings

    s3 = ocfl_s3_settings()
    return render(request, "staff/outbound.html", {
        "entries": OutboundAllow.objects.select_related("created_by"), "form": form,
        "env_entries": [h for h in settings.THUVIEN_OUTBOUND_ALLOWED_HOSTS if h.strip()],
        # endpoints the operator configured for one client only (not on the allow-list above)
        "configured": [s3.endpoint] if s3 is not None and s3.endpoint else [],
    })
