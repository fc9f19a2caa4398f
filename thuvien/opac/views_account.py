"""The reader's account in the portal: loans and renewals, holds (place, cancel, change pickup),
fines, reading history (only with consent), consents, personal data export/correction/deletion,
login by card number or e-mail, self-registration and password reset. Thin: services do the work."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from thuvien.catalog.models import BibRecord
from thuvien.circulation import selectors as circ_sel
from thuvien.circulation import services as circ
from thuvien.circulation.models import Hold, Loan
from thuvien.core.authn import ThrottledAuthenticationForm
from thuvien.core.models import OrgUnit
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


@login_required(login_url=LOGIN_URL)
def account(request: HttpRequest) -> HttpResponse:
    patron = _patron(request)
    if patron is None:
        return render(request, "opac/account/no_card.html", status=404)
    if request.method == "POST":
        return _account_post(request, patron)
    now = timezone.now()
    loans = list(circ_sel.loan_list_current(patron=patron))
    for loan in loans:
        loan.accrued = circ_sel.accrued_fine(loan, now)  # type: ignore[attr-defined]
        loan.overdue = loan.due_at < now  # type: ignore[attr-defined]
    return render(request, "opac/account/account.html", {
        "patron": patron, "loans": loans, "holds": circ_sel.hold_list_for_patron(patron=patron),
        "fines": circ_sel.fine_list_open(patron=patron), "fines_total": circ_sel.fines_total(patron=patron),
        "history": circ_sel.loan_list_history(patron=patron)[:100] if patron.keep_history else None,
        "consents": consent_active(patron=patron), "purposes": ConsentPurpose.choices, "wordings": CONSENT_WORDING,
        "pickups": _pickup_units(), "requests": patron.data_requests.all()[:20],
    })


def _account_post(request: HttpRequest, patron: Patron) -> HttpResponse:
    action = request.POST.get("action")
    user = request.user
    try:
        if action == "renew":
            loan = get_object_or_404(Loan, pk=request.POST.get("loan"), patron=patron)
            loan = circ.loan_renew(actor=user, loan=loan)  # type: ignore[arg-type]
            messages.success(request, _("Đã gia hạn đến %(d)s.") % {
                "d": timezone.localtime(loan.due_at).strftime("%d/%m/%Y")})
        elif action == "cancel_hold":
            circ.hold_cancel(actor=user, hold=get_object_or_404(Hold, pk=request.POST.get("hold"), patron=patron))  # type: ignore[arg-type]
            messages.success(request, _("Đã huỷ yêu cầu đặt mượn."))
        elif action == "pickup":
            hold = get_object_or_404(Hold, pk=request.POST.get("hold"), patron=patron)
            unit = get_object_or_404(_pickup_units(), pk=request.POST.get("pickup"))
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
    return redirect("opac:account")


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
        unit = get_object_or_404(pickups, pk=request.POST.get("pickup"))
        try:
            circ.hold_place(actor=request.user, patron=patron, record=record, pickup_library=unit,  # type: ignore[arg-type]
                            request_id=request.POST.get("request_id") or None)
        except circ.BlockedError as exc:
            messages.error(request, "; ".join(exc.reasons))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Đã đặt mượn “%(t)s”.") % {"t": record.title})
            return redirect("opac:account")
    return render(request, "opac/account/hold.html", {"record": record, "pickups": pickups,
                                                      "default": patron.home_library_id, "request_id": uuid.uuid4()})


class RegisterForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=255)
    birth_date = forms.DateField(label=gettext_lazy("Ngày sinh"), widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.ModelChoiceField(label=gettext_lazy("Đối tượng"), queryset=PatronCategory.objects.all())
    home_library = forms.ModelChoiceField(label=gettext_lazy("Thư viện đăng ký"), queryset=OrgUnit.objects.none())
    address = forms.CharField(label=gettext_lazy("Địa chỉ"), required=False)
    phone = forms.CharField(label=gettext_lazy("Điện thoại"), required=False)
    email = forms.EmailField(label=gettext_lazy("Thư điện tử"))
    guardian_name = forms.CharField(label=gettext_lazy("Cha, mẹ hoặc người giám hộ (nếu dưới 16 tuổi)"),
                                    required=False)
    child_agreed = forms.BooleanField(label=gettext_lazy("Con tôi (từ đủ 7 tuổi) cũng đồng ý"), required=False)
    password = forms.CharField(label=gettext_lazy("Mật khẩu"), widget=forms.PasswordInput, min_length=8)
    consents = forms.MultipleChoiceField(choices=ConsentPurpose.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["home_library"].queryset = _pickup_units()  # type: ignore[attr-defined]

    def clean_birth_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise ValidationError(_("Ngày sinh không hợp lệ."))
        return value


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
            messages.success(request, _("Đăng ký thành công. Số thẻ của bạn: %(c)s.") % {"c": patron.card_number})
            return redirect("opac:account")
    return render(request, "opac/account/register.html", {"form": form, "wordings": CONSENT_WORDING})


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "opac/account/password_reset.html"
    email_template_name = "opac/account/password_reset_email.txt"
    subject_template_name = "opac/account/password_reset_subject.txt"
    success_url = reverse_lazy("opac:account_password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "opac/account/password_reset_confirm.html"
    success_url = reverse_lazy("opac:account_login")
