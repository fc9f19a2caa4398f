"""The reader's account in the portal: loans and renewals, holds (place, cancel, change pickup),
fines, reading history (only with consent), consents, personal data export/correction/deletion,
login by card number or e-mail, self-registration and password reset. Thin: services do the work."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from thuvien.catalog.models import BibRecord
from thuvien.circulation import selectors as circ_sel
from thuvien.circulation import services as circ
from thuvien.circulation.models import Hold, Loan
from thuvien.core.authn import ThrottledAuthenticationForm
from thuvien.core.models import OrgUnit, User
from thuvien.core.params import int_param
from thuvien.patrons import services as patron_svc
from thuvien.patrons.conf import CONSENT_WORDING
from thuvien.patrons.models import ConsentPurpose, DataRequestKind, Patron, PatronCategory
from thuvien.patrons.selectors import consent_active

LOGIN_URL = reverse_lazy("opac:account_login")


class LoginForm(ThrottledAuthenticationForm):
    username = forms.CharField(label=gettext_lazy("Số thẻ hoặc thư điện tử"), max_length=254)


class LoginView(auth_views.LoginView):
    template_name = "opac/account/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    next_page = reverse_lazy("opac:account")  # type: ignore[assignment]


def _patron(request: HttpRequest) -> Patron | None:
    return Patron.objects.select_related("category", "home_library").filter(user_id=request.user.pk).first()  # type: ignore[misc]


def _pickup_units():  # type: ignore[no-untyped-def]
    return OrgUnit.objects.filter(is_active=True, kind__circulates=True, kind__holds_items=True).order_by("path")


ACCOUNT_TABS = (
    ("loans", gettext_lazy("Đang mượn")),
    ("holds", gettext_lazy("Đặt mượn")),
    ("history", gettext_lazy("Lịch sử")),
    ("fines", gettext_lazy("Tiền phạt")),
    ("lists", gettext_lazy("Danh sách và sự kiện")),
    # online services (thuvien.online): rendered by templates/online/_account.html
    ("questions", gettext_lazy("Hỏi thủ thư")),
    ("copies", gettext_lazy("Sao chụp")),
    ("postal", gettext_lazy("Mượn qua bưu điện")),
    ("suggestions", gettext_lazy("Đề nghị bổ sung")),
    ("data", gettext_lazy("Dữ liệu của tôi")),
)
ONLINE_TABS = ("questions", "copies", "postal", "suggestions")


@login_required(login_url=LOGIN_URL)
def account(request: HttpRequest) -> HttpResponse:
    """The reader's account as tabs (loans, holds, history, fines, my data); one tab is built per request."""
    patron = _patron(request)
    if patron is None:
        return render(request, "opac/account/no_card.html", status=404)
    if request.method == "POST":
        return _account_post(request, patron)
    tab = request.GET.get("tab", "loans")
    if tab not in dict(ACCOUNT_TABS):
        tab = "loans"
    return _account_render(request, patron, tab)


def _account_render(request: HttpRequest, patron: Patron, tab: str, *,
                    password_form: forms.Form | None = None, pin_form: forms.Form | None = None,
                    status: int = 200) -> HttpResponse:
    now = timezone.now()
    loans = list(circ_sel.loan_list_current(patron=patron))
    for loan in loans:
        loan.accrued = circ_sel.accrued_fine(loan, now)  # type: ignore[attr-defined]
        loan.overdue = loan.due_at < now  # type: ignore[attr-defined]
    holds = circ_sel.hold_list_for_patron(patron=patron)
    fines_total = circ_sel.fines_total(patron=patron)
    counts = {"loans": len(loans), "holds": len(holds)}
    context: dict[str, object] = {
        "patron": patron, "tab": tab, "fines_total": fines_total,
        "tabs": [(key, label, counts.get(key)) for key, label in ACCOUNT_TABS],
        "loans": loans, "holds": holds,
    }
    if tab == "holds":
        context["pickups"] = _pickup_units()
    elif tab == "history":
        context["history"] = circ_sel.loan_list_history(patron=patron)[:100] if patron.keep_history else None
    elif tab == "fines":
        context["fines"] = circ_sel.fine_list_open(patron=patron)
    elif tab == "lists":
        from thuvien.portal.views import account_context
        context.update(account_context(request))
    elif tab in ONLINE_TABS:
        from thuvien.online.selectors import for_patron

        context["online"] = for_patron(patron=patron)
    elif tab == "data":
        context.update({
            "consents": consent_active(patron=patron), "purposes": ConsentPurpose.choices, "wordings": CONSENT_WORDING,
            "requests": patron.data_requests.all()[:20],
            "password_form": password_form or PasswordChangeForm(request.user),  # type: ignore[arg-type]
            "password_rules": password_validators_help_texts(),
            "pin_form": pin_form or PinForm(request.user), "has_pin": bool(patron.pin_hash),  # type: ignore[arg-type]
        })
    return render(request, "opac/account/account.html", context, status=status)


def _account_post(request: HttpRequest, patron: Patron) -> HttpResponse:
    action = request.POST.get("action")
    user = request.user
    if action == "password":
        form = PasswordChangeForm(user, request.POST)  # type: ignore[arg-type]
        if not form.is_valid():
            return _account_render(request, patron, "data", password_form=form, status=400)
        patron_svc.patron_set_password(actor=user, patron=patron, password=form.cleaned_data["new_password1"])  # type: ignore[arg-type]
        update_session_auth_hash(request, patron.user)  # type: ignore[arg-type]
        messages.success(request, _("Đã đổi mật khẩu."))
        return redirect(_tab_url("data"))
    if action == "pin":
        pin_form = PinForm(user, request.POST)  # type: ignore[arg-type]
        if pin_form.is_valid():
            try:
                patron_svc.patron_set_pin(actor=user, patron=patron, pin=pin_form.cleaned_data["pin"])  # type: ignore[arg-type]
            except ValidationError as exc:
                pin_form.add_error("pin", exc.message_dict.get("pin", exc.messages))
        if not pin_form.is_valid():
            return _account_render(request, patron, "data", pin_form=pin_form, status=400)
        messages.success(request, _("Đã đặt mã PIN cho máy tự mượn trả."))
        return redirect(_tab_url("data"))
    tab = _ACTION_TAB.get(action or "", "loans")
    try:
        if action == "renew":
            loan = get_object_or_404(Loan, pk=int_param(request.POST.get("loan")), patron=patron)
            loan = circ.loan_renew(actor=user, loan=loan)  # type: ignore[arg-type]
            messages.success(request, _("Đã gia hạn đến %(d)s.") % {
                "d": timezone.localtime(loan.due_at).strftime("%d/%m/%Y")})
        elif action == "cancel_hold":
            circ.hold_cancel(actor=user, hold=get_object_or_404(Hold, pk=int_param(request.POST.get("hold")), patron=patron))  # type: ignore[arg-type]
            messages.success(request, _("Đã huỷ yêu cầu đặt mượn."))
        elif action == "pickup":
            hold = get_object_or_404(Hold, pk=int_param(request.POST.get("hold")), patron=patron)
            unit = get_object_or_404(_pickup_units(), pk=int_param(request.POST.get("pickup")))
            circ.hold_change_pickup(actor=user, hold=hold, pickup_library=unit)  # type: ignore[arg-type]
            messages.success(request, _("Đã đổi nơi nhận."))
        elif action == "consent":
            purpose = request.POST.get("purpose", "")
            if request.POST.get("give") == "1":
                patron_svc.consent_grant(patron=patron, purpose=purpose, actor=user, channel="portal")  # type: ignore[arg-type]
            else:
                patron_svc.consent_withdraw(patron=patron, purpose=purpose, actor=user)  # type: ignore[arg-type]
            messages.success(request, _("Đã ghi nhận lựa chọn của bạn."))
        elif action == "contact":
            patron_svc.patron_update_self(patron=patron, data={k: request.POST.get(k, "") for k in
                                                               ("address", "phone", "email")},
                                          current_password=request.POST.get("current_password", ""))
            messages.success(request, _("Đã cập nhật thông tin liên hệ."))
        elif action in (DataRequestKind.CORRECT, DataRequestKind.DELETE):
            patron_svc.datarequest_create(patron=patron, kind=action, details=request.POST.get("details", ""))
            messages.success(request, _("Thư viện đã nhận yêu cầu của bạn."))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except circ.BlockedError as exc:
        messages.error(request, "; ".join(exc.reasons))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_tab_url(tab))


_ACTION_TAB = {"renew": "loans", "cancel_hold": "holds", "pickup": "holds", "consent": "data", "contact": "data",
               DataRequestKind.CORRECT: "data", DataRequestKind.DELETE: "data"}


def _tab_url(tab: str) -> str:
    return f"{reverse('opac:account')}?tab={tab}" if tab != "loans" else reverse("opac:account")


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form: the old password, and the new one checked by AUTH_PASSWORD_VALIDATORS."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs.pop("autofocus", None)  # one tab among others: do not jump


class PinForm(forms.Form):
    """The self-check PIN: the portal password to confirm it is the reader, then the PIN twice."""

    current_password = forms.CharField(label=gettext_lazy("Mật khẩu hiện tại"), strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    pin = forms.CharField(label=gettext_lazy("Mã PIN mới (4–6 chữ số)"), max_length=6,
                          widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                            "pattern": "[0-9]{4,6}"}))
    pin2 = forms.CharField(label=gettext_lazy("Nhập lại mã PIN"), max_length=6,
                           widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                             "pattern": "[0-9]{4,6}"}))

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for name in ("pin", "pin2"):
            self.fields[name].widget.attrs["id"] = f"id_pin_{name}"
        self.fields["current_password"].widget.attrs["id"] = "id_pin_current_password"

    def clean_current_password(self) -> str:
        value = self.cleaned_data["current_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("Mật khẩu hiện tại không đúng."))
        return value

    def clean_pin(self) -> str:
        try:
            return patron_svc.pin_validate(self.cleaned_data["pin"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["pin"]) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("pin") and data.get("pin2") is not None and data["pin"] != data["pin2"]:
            self.add_error("pin2", _("Hai lần nhập mã PIN không giống nhau."))
        return data


@login_required(login_url=LOGIN_URL)
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """All personal data the library holds about the reader, as a JSON download (POST: it records a
    data-subject request, so a cross-site link cannot trigger it)."""
    patron = _patron(request)
    if patron is None:
        return render(request, "opac/account/no_card.html", status=404)
    patron_svc.datarequest_create(patron=patron, kind=DataRequestKind.EXPORT)
    body = json.dumps(circ_sel.patron_export_data(patron=patron), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="thuvien-{patron.card_number}.json"'
    return response


@login_required(login_url=LOGIN_URL)
def hold_place(request: HttpRequest, record_id: int) -> HttpResponse:
    """Place a hold on a record from the catalogue, choosing where to pick it up."""
    patron = _patron(request)
    if patron is None:
        return render(request, "opac/account/no_card.html", status=404)
    record = get_object_or_404(BibRecord, pk=record_id, is_deleted=False)
    pickups = _pickup_units()
    if request.method == "POST":
        unit = get_object_or_404(pickups, pk=int_param(request.POST.get("pickup")))
        try:
            circ.hold_place(actor=request.user, patron=patron, record=record, pickup_library=unit,  # type: ignore[arg-type]
                            request_id=request.POST.get("request_id") or None)
        except circ.BlockedError as exc:
            messages.error(request, "; ".join(exc.reasons))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã đặt mượn “%(t)s”.") % {"t": record.title})
            return redirect(_tab_url("holds"))
    return render(request, "opac/account/hold.html", {"record": record, "pickups": pickups,
                                                      "default": patron.home_library_id, "request_id": uuid.uuid4()})


class LibraryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:  # type: ignore[override]
        return obj.name


class RegisterForm(forms.Form):
    """Self-registration: a phone or an e-mail (at least one), the password rule that is enforced, and every
    error (consents and guardian included) reported at once."""

    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=255)
    birth_date = forms.DateField(label=gettext_lazy("Ngày sinh"), widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.ModelChoiceField(label=gettext_lazy("Đối tượng"), queryset=PatronCategory.objects.all())
    home_library = LibraryChoiceField(label=gettext_lazy("Thư viện đăng ký"), queryset=OrgUnit.objects.none())
    phone = forms.CharField(label=gettext_lazy("Điện thoại"), required=False, max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}))
    email = forms.EmailField(label=gettext_lazy("Thư điện tử"), required=False,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    address = forms.CharField(label=gettext_lazy("Địa chỉ"), required=False)
    guardian_name = forms.CharField(label=gettext_lazy("Cha, mẹ hoặc người giám hộ (nếu dưới 16 tuổi)"),
                                    required=False)
    child_agreed = forms.BooleanField(label=gettext_lazy("Con tôi (từ đủ 7 tuổi) cũng đồng ý"), required=False)
    password = forms.CharField(label=gettext_lazy("Mật khẩu"),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    consents = forms.MultipleChoiceField(label=gettext_lazy("Sự đồng ý"), choices=ConsentPurpose.choices,
                                         required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["home_library"].queryset = _pickup_units()  # type: ignore[attr-defined]

    def clean_birth_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise ValidationError(_("Ngày sinh không hợp lệ."))
        return value

    def clean_phone(self) -> str:
        value = "".join(self.cleaned_data.get("phone", "").split())
        if value and not re.fullmatch(r"\+?[0-9.\-()]{8,20}", value):
            raise ValidationError(_("Số điện thoại chỉ gồm chữ số, ví dụ 0912 345 678."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email") and "phone" not in self.errors \
                and "email" not in self.errors:
            self.add_error("phone", _("Cần ít nhất một cách liên hệ: điện thoại hoặc thư điện tử."))
        password = data.get("password")
        if password:
            probe = User(username=data.get("phone") or data.get("email") or "reader",
                         display_name=data.get("full_name", ""), email=data.get("email", ""))
            try:
                validate_password(password, user=probe)
            except ValidationError as exc:
                self.add_error("password", exc)
        if data.get("category") is not None:
            try:
                patron_svc.consents_check(purposes=set(data.get("consents") or ()), birth_date=data.get("birth_date"),
                                          category=data["category"], guardian_name=data.get("guardian_name", ""),
                                          child_agreed=bool(data.get("child_agreed")))
            except ValidationError as exc:
                self.add_error(None, exc)  # keyed by field: consents, guardian_name or child_agreed
        return data


def register(request: HttpRequest) -> HttpResponse:
    """Online self-registration: creates a pending reader (or an active one where auto-approval is set)."""
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        library = data.pop("home_library")
        password = data.pop("password")
        consents = data.pop("consents")
        guardian = data.pop("guardian_name")
        child_agreed = data.pop("child_agreed")
        try:
            patron = patron_svc.patron_self_register(home_library=library, data=data, consents=consents,
                                                     password=password, guardian_name=guardian,
                                                     child_agreed=child_agreed)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, patron.user, backend="thuvien.patrons.auth.PatronBackend")  # type: ignore[arg-type]
            messages.success(request, _("Đăng ký thành công. Số thẻ của bạn: %(c)s. Hãy dùng số thẻ này để đăng "
                                        "nhập.") % {"c": patron.card_number})
            return redirect("opac:account")
    from thuvien.online.fees import card_fees

    fee_unit = form.cleaned_data.get("home_library") if form.is_bound and hasattr(form, "cleaned_data") else None
    fee_unit = fee_unit or _pickup_units().first()
    return render(request, "opac/account/register.html", {
        "card_fees": card_fees(unit=fee_unit) if fee_unit else [], "fee_unit": fee_unit,
        "form": form, "wordings": CONSENT_WORDING, "password_rules": password_validators_help_texts(),
        "checked": set(form["consents"].value() or ()),
    }, status=400 if form.errors else 200)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "opac/account/password_reset.html"
    email_template_name = "opac/account/password_reset_email.txt"
    subject_template_name = "opac/account/password_reset_subject.txt"
    success_url = reverse_lazy("opac:account_password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "opac/account/password_reset_confirm.html"
    success_url = reverse_lazy("opac:account_login")
