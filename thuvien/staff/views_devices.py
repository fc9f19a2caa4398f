"""Staff page for self-service hardware: SIP2 terminals (kiosks, book drops, gates) and device API
tokens, for the libraries where the user manages staff. Thin: the protocols and api services write."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from thuvien.api import devices
from thuvien.api.models import DeviceToken
from thuvien.core.models import OrgUnit, User
from thuvien.core.permissions import Perm, scope_q
from thuvien.protocols.models import Sip2Terminal
from thuvien.protocols.sip2.services import terminal_create, terminal_update


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _libraries(user: User):  # type: ignore[no-untyped-def]
    return OrgUnit.objects.filter(is_active=True).filter(scope_q(user, Perm.STAFF_MANAGE)).order_by("path")


class TerminalForm(forms.Form):
    login = forms.CharField(label=gettext_lazy("Tên đăng nhập (CN)"), max_length=64)
    password = forms.CharField(label=gettext_lazy("Mật khẩu (CO)"), min_length=6, widget=forms.PasswordInput)
    library = forms.ModelChoiceField(label=gettext_lazy("Thư viện"), queryset=OrgUnit.objects.none(),
                                     widget=forms.Select(attrs={"style": "width:100%"}))
    location = forms.CharField(label=gettext_lazy("Vị trí đặt máy"), max_length=100, required=False)
    encoding = forms.ChoiceField(label=gettext_lazy("Bảng mã"), choices=Sip2Terminal.Encoding.choices)
    line_end = forms.ChoiceField(label=gettext_lazy("Kết thúc dòng"), choices=Sip2Terminal.LineEnd.choices)
    error_detection = forms.BooleanField(label=gettext_lazy("Kiểm tra lỗi (AY/AZ)"), required=False, initial=True)
    patron_pin_required = forms.BooleanField(label=gettext_lazy("Bạn đọc phải nhập mã PIN"), required=False,
                                             initial=True)
    tls_required = forms.BooleanField(label=gettext_lazy("Bắt buộc kết nối mã hoá TLS"), required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = _libraries(user)  # type: ignore[attr-defined]


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên thiết bị"), max_length=100)
    library = forms.ModelChoiceField(label=gettext_lazy("Thư viện"), queryset=OrgUnit.objects.none(),
                                     widget=forms.Select(attrs={"style": "width:100%"}))
    scopes = forms.MultipleChoiceField(label=gettext_lazy("Quyền"), choices=DeviceToken.Scope.choices,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user: User, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = _libraries(user)  # type: ignore[attr-defined]


def _page(request: HttpRequest, terminal_form: TerminalForm | None = None,
          token_form: TokenForm | None = None) -> HttpResponse:
    user = _user(request)
    in_scope = scope_q(user, Perm.STAFF_MANAGE, "library__")
    return render(request, "staff/devices/home.html", {
        "terminals": Sip2Terminal.objects.filter(in_scope).select_related("library")[:500],
        "tokens": DeviceToken.objects.filter(in_scope).select_related("library")[:500],
        "terminal_form": terminal_form or TerminalForm(user=user),
        "token_form": token_form or TokenForm(user=user),
    })


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if not _libraries(_user(request)).exists():
        return render(request, "staff/refused.html",
                      {"reason": _("Bạn không quản lý thiết bị của thư viện nào.")}, status=403)
    return _page(request)


def _errors(form: forms.Form, exc: ValidationError | PermissionDenied) -> None:
    form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))


@login_required
@require_POST
def terminal_add(request: HttpRequest) -> HttpResponse:
    form = TerminalForm(request.POST, user=_user(request))
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            terminal = terminal_create(actor=_user(request), login=data.pop("login"), library=data.pop("library"),
                                       password=data.pop("password"), **data)
        except (ValidationError, PermissionDenied) as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Đã thêm máy %(l)s.") % {"l": terminal.login})
            return redirect("staff:devices:home")
    return _page(request, terminal_form=form)


@login_required
@require_POST
def terminal_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    terminal = get_object_or_404(Sip2Terminal.objects.select_related("library", "account"), pk=pk)
    try:
        terminal_update(actor=_user(request), terminal=terminal, is_active=not terminal.is_active)
    except PermissionDenied as exc:
        return render(request, "staff/refused.html", {"reason": str(exc)}, status=403)
    return redirect("staff:devices:home")


@login_required
@require_POST
def token_add(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST, user=_user(request))
    if form.is_valid():
        try:
            token, key = devices.token_create(actor=_user(request), name=form.cleaned_data["name"],
                                              library=form.cleaned_data["library"], scopes=form.cleaned_data["scopes"])
        except (ValidationError, PermissionDenied) as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Khoá của %(n)s (chỉ hiện một lần, hãy chép vào thiết bị ngay): %(k)s")
                             % {"n": token.name, "k": key})
            return redirect("staff:devices:home")
    return _page(request, token_form=form)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(DeviceToken.objects.select_related("library", "account"), pk=pk)
    try:
        devices.token_revoke(actor=_user(request), token=token)
    except PermissionDenied as exc:
        return render(request, "staff/refused.html", {"reason": str(exc)}, status=403)
    messages.success(request, _("Đã thu hồi khoá của %(n)s.") % {"n": token.name})
    return redirect("staff:devices:home")
