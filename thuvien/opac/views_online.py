"""Portal pages of the online services: ask a librarian and the public FAQ, remote-copy and postal-loan
requests from a record, purchase suggestions, the copy download, and the reader's actions on them.
Thin: the forms parse input, `thuvien.online.services` does the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from thuvien.catalog.models import BibRecord
from thuvien.core.authn import client_ip
from thuvien.core.models import OrgUnit
from thuvien.core.unit_settings import setting_get
from thuvien.online import fees, selectors
from thuvien.online import services as svc
from thuvien.online.models import (
    CopyFormat,
    CopyRequest,
    DeliveryFormat,
    FeeService,
    PostalLoan,
    PostalZone,
    QuestionCategory,
)
from thuvien.opac.views_account import LOGIN_URL, _patron

ACCOUNT = "opac:account"


def _libraries():  # type: ignore[no-untyped-def]
    return OrgUnit.objects.filter(is_active=True, kind__holds_items=True).order_by("path")


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:  # type: ignore[override]
        return obj.name


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


# -- ask a librarian ---------------------------------------------------------------------------

class AskForm(forms.Form):
    library = UnitChoice(label=gettext_lazy("Gửi đến thư viện"), queryset=OrgUnit.objects.none())
    category = forms.ChoiceField(label=gettext_lazy("Lĩnh vực"), choices=QuestionCategory.choices)
    text = forms.CharField(label=gettext_lazy("Câu hỏi"), widget=forms.Textarea(attrs={"rows": 5}),
                           max_length=svc.MAX_QUESTION)
    name = forms.CharField(label=gettext_lazy("Họ và tên"), required=False, max_length=255)
    email = forms.CharField(label=gettext_lazy("Thư điện tử"), required=False, max_length=254,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=gettext_lazy("Điện thoại"), required=False, max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    consent = forms.BooleanField(label=gettext_lazy("Tôi đồng ý"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = _libraries()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """The service's checks too, so every error shows at once (the service checks again)."""
        data = super().clean() or {}
        if not data.get("consent"):
            self.add_error("consent", _("Cần sự đồng ý của bạn để thư viện dùng thông tin liên hệ trả lời câu hỏi."))
        try:
            svc.contact_clean(data.get("email", ""), data.get("phone", ""))
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                if field not in self.errors:
                    self.add_error(field, errs)
        return data


def ask(request: HttpRequest) -> HttpResponse:
    """Ask a librarian: readers and anonymous visitors; contact data only with the consent shown."""
    patron = _patron(request) if request.user.is_authenticated else None
    initial = {}
    if patron:
        initial = {"library": patron.home_library_id, "name": patron.full_name, "email": patron.email,
                   "phone": patron.phone}
    form = AskForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            if not request.session.session_key:
                request.session.save()
            try:
                q = svc.question_ask(library=d["library"], category=d["category"], text=d["text"],
                                     name=d["name"], email=d["email"], phone=d["phone"],
                                     consent=d["consent"], patron=patron,
                                     address=client_ip(request) or "",
                                     session_key=request.session.session_key or "")
            except svc.TooManyQuestions:
                form.add_error(None, _("Bạn đã gửi nhiều câu hỏi trong một giờ. Hãy thử lại sau."))
                status = 429
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Thư viện đã nhận câu hỏi của bạn (số %(n)s) và sẽ trả lời qua "
                                            "thông tin liên hệ bạn đã cho.") % {"n": q.pk})
                return redirect(f"{reverse(ACCOUNT)}?tab=questions" if patron else reverse("online:faq"))
        if form.errors and status == 200:
            status = 400
    return render(request, "online/ask.html", {"form": form, "consent_wording": svc.QUESTION_CONSENT},
                  status=status)


def faq(request: HttpRequest) -> HttpResponse:
    """The published questions, anonymised, with a search box."""
    q = request.GET.get("q", "")[:200]
    library = None
    if request.GET.get("library", "").isdigit():
        library = _libraries().filter(pk=int(request.GET["library"])).first()
    page = Paginator(selectors.faq(q=q, library=library), 20).get_page(request.GET.get("page"))
    return render(request, "online/faq.html", {"page": page, "q": q, "library": library,
                                                "libraries": _libraries()})


# -- remote copies ---------------------------------------------------------------------------------

def _holding_libraries(record: BibRecord):  # type: ignore[no-untyped-def]
    ids = set(record.items.values_list("library_id", flat=True))
    return OrgUnit.objects.filter(pk__in=ids, is_active=True).order_by("path")


class CopyForm(forms.Form):
    library = UnitChoice(label=gettext_lazy("Thư viện thực hiện"), queryset=OrgUnit.objects.none())
    pages = forms.CharField(label=gettext_lazy("Trang hoặc chương"), max_length=200,
                            help_text=gettext_lazy("Ví dụ: 12-30, 45 hoặc “chương 3”."))
    page_count = forms.IntegerField(label=gettext_lazy("Số trang (khi ghi chương)"), required=False, min_value=1,
                                    max_value=5000)
    delivery = forms.ChoiceField(label=gettext_lazy("Hình thức nhận"), choices=DeliveryFormat.choices,
                                 widget=forms.RadioSelect)
    copy_format = forms.ChoiceField(label=gettext_lazy("Bản in"), required=False, choices=[
        (CopyFormat.A4_BW, CopyFormat.A4_BW.label), (CopyFormat.A4_COLOR, CopyFormat.A4_COLOR.label)])
    address = forms.CharField(label=gettext_lazy("Địa chỉ nhận (khi gửi bưu điện)"), required=False, max_length=500)
    zone = forms.ChoiceField(label=gettext_lazy("Vùng"), choices=PostalZone.choices, required=False)
    note = forms.CharField(label=gettext_lazy("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, record: BibRecord, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = _holding_libraries(record)  # type: ignore[attr-defined]


def _rates(unit: OrgUnit | None) -> list[tuple[str, Any]]:
    if unit is None:
        return []
    rows = []
    for service in (FeeService.SCAN_PAGE, FeeService.COPY_PAGE, FeeService.POSTAGE):
        lines, _src = fees.fee_lines(unit=unit, service=service)
        rows += [(f"{FeeService(service).label}"
                  + (f" · {f.get_copy_format_display()}" if f.copy_format else "")
                  + (f" · {f.get_zone_display()}" if f.zone else "")
                  + (f" · ≤ {f.weight_max_g} g" if f.weight_max_g else ""), f.amount) for f in lines]
    return rows


@login_required(login_url=LOGIN_URL)
def copy_request(request: HttpRequest, record_id: int) -> HttpResponse:
    patron = _patron(request)
    if patron is None:
        return render(request, "opac/account/no_card.html", status=404)
    record = get_object_or_404(BibRecord, pk=record_id, is_deleted=False)
    digital = svc.public_digital_object(record)
    form = CopyForm(request.POST or None, record=record,
                    initial={"delivery": DeliveryFormat.PDF_EMAIL, "address": patron.address,
                             "library": _holding_libraries(record).first()})
    if request.method == "POST" and digital is None and form.is_valid():
        d = form.cleaned_data
        try:
            r = svc.copy_request_create(actor=request.user, patron=patron, record=record,  # type: ignore[arg-type]
                                        library=d["library"], pages=d["pages"], page_count=d["page_count"],
                                        delivery=d["delivery"], copy_format=d["copy_format"] or CopyFormat.A4_BW,
                                        address=d["address"], zone=d["zone"], note=d["note"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã gửi yêu cầu sao chụp. Phí dự tính: %(a)s đ. Thư viện sẽ báo phí chính "
                                        "thức.") % {"a": f"{r.estimate:,.0f}".replace(",", ".")})
            return redirect(f"{reverse(ACCOUNT)}?tab=copies")
    lib = form.fields["library"].queryset.first()  # type: ignore[attr-defined]
    return render(request, "online/copy_request.html", {
        "form": form, "record": record, "digital": digital, "rates": _rates(lib), "rates_unit": lib,
        "share": setting_get(lib, "online.copyright_share") if lib else 20,
        "extent": fees.extent_pages(record.physical)}, status=400 if form.errors else 200)


@login_required(login_url=LOGIN_URL)
def copy_download(request: HttpRequest, uuid: str) -> HttpResponse | FileResponse:
    """The scanned PDF, for its reader only (or staff of the library that made it)."""
    from thuvien.core.permissions import Perm, has_perm

    r = get_object_or_404(CopyRequest.objects.select_related("patron", "library"), uuid=uuid)
    if not r.scan:
        raise Http404
    if r.patron.user_id != request.user.pk and not has_perm(request.user, Perm.CIRC_DESK, r.library):  # type: ignore[arg-type]
        raise PermissionDenied
    if r.patron.user_id == request.user.pk and r.state != "delivered":
        raise Http404
    return FileResponse(r.scan.open("rb"), as_attachment=True, filename=f"ban-sao-{r.pk}.pdf",
                        content_type="application/pdf")


# -- postal loans --------------------------------------------------------------------------------

class PostalForm(forms.Form):
    library = UnitChoice(label=gettext_lazy("Thư viện gửi"), queryset=OrgUnit.objects.none())
    culture_point = UnitChoice(label=gettext_lazy("Nhận tại điểm Bưu điện văn hoá xã"), required=False,
                               queryset=OrgUnit.objects.none(),
                               empty_label=gettext_lazy("— Không, gửi đến địa chỉ dưới đây —"))
    address = forms.CharField(label=gettext_lazy("Địa chỉ nhận"), required=False, max_length=500)
    zone = forms.ChoiceField(label=gettext_lazy("Vùng"), choices=PostalZone.choices)

    def __init__(self, *args: Any, record: BibRecord, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = _holding_libraries(record)  # type: ignore[attr-defined]
        self.fields["culture_point"].queryset = OrgUnit.objects.filter(  # type: ignore[attr-defined]
            is_active=True, kind__code="post_office_point").order_by("name")


@login_required(login_url=LOGIN_URL)
def postal_request(request: HttpRequest, record_id: int) -> HttpResponse:
    patron = _patron(request)
    if patron is None:
        return render(request, "opac/account/no_card.html", status=404)
    record = get_object_or_404(BibRecord, pk=record_id, is_deleted=False)
    form = PostalForm(request.POST or None, record=record,
                      initial={"address": patron.address, "library": _holding_libraries(record).first()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            svc.postal_request(actor=request.user, patron=patron, record=record, library=d["library"],  # type: ignore[arg-type]
                               address=d["address"], culture_point=d["culture_point"], zone=d["zone"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã gửi yêu cầu mượn qua bưu điện."))
            return redirect(f"{reverse(ACCOUNT)}?tab=postal")
    lib = form.fields["library"].queryset.first()  # type: ignore[attr-defined]
    exempt = lib is not None and fees.is_exempt(unit=lib, service=FeeService.POSTAGE, category=patron.category)
    return render(request, "online/postal_request.html", {
        "form": form, "record": record, "rates": [r for r in _rates(lib) if str(FeeService.POSTAGE.label) in r[0]],
        "exempt": exempt, "postal_days": setting_get(lib, "online.postal_days") if lib else 0},
        status=400 if form.errors else 200)


# -- suggestions ----------------------------------------------------------------------------------

class SuggestForm(forms.Form):
    library = UnitChoice(label=gettext_lazy("Thư viện"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=gettext_lazy("Nhan đề"), max_length=500)
    author = forms.CharField(label=gettext_lazy("Tác giả"), required=False, max_length=255)
    publisher = forms.CharField(label=gettext_lazy("Nhà xuất bản"), required=False, max_length=255)
    year = forms.IntegerField(label=gettext_lazy("Năm xuất bản"), required=False)
    isbn = forms.CharField(label=gettext_lazy("ISBN"), required=False, max_length=20)
    reason = forms.CharField(label=gettext_lazy("Lý do đề nghị"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = _libraries()  # type: ignore[attr-defined]


@login_required(login_url=LOGIN_URL)
def suggest(request: HttpRequest) -> HttpResponse:
    patron = _patron(request)
    if patron is None:
        return render(request, "opac/account/no_card.html", status=404)
    form = SuggestForm(request.POST or None, initial={"library": patron.home_library_id})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            svc.suggestion_create(actor=request.user, patron=patron, **d)  # type: ignore[arg-type]
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Cảm ơn bạn. Thư viện đã nhận đề nghị bổ sung."))
            return redirect(f"{reverse(ACCOUNT)}?tab=suggestions")
    return render(request, "online/suggest.html", {"form": form}, status=400 if form.errors else 200)


# -- the reader's actions from the account tabs ------------------------------------------------------

@require_POST
@login_required(login_url=LOGIN_URL)
def account_action(request: HttpRequest) -> HttpResponse:
    patron = _patron(request)
    if patron is None:
        return render(request, "opac/account/no_card.html", status=404)
    action = request.POST.get("action", "")
    user = request.user
    tab = "postal" if action.startswith("postal") else "copies"
    try:
        if action in ("copy_accept", "copy_cancel"):
            r = get_object_or_404(CopyRequest, pk=request.POST.get("id"), patron=patron)
            (svc.copy_accept if action == "copy_accept" else svc.copy_cancel)(actor=user, request=r)  # type: ignore[arg-type]
        elif action == "postal_cancel":
            p = get_object_or_404(PostalLoan, pk=request.POST.get("id"), patron=patron)
            svc.postal_cancel(actor=user, postal=p)  # type: ignore[arg-type]
        elif action == "postal_return":
            p = get_object_or_404(PostalLoan, pk=request.POST.get("id"), patron=patron)
            svc.postal_return_sent(actor=user, postal=p, tracking_number=request.POST.get("tracking", ""))  # type: ignore[arg-type]
        else:
            raise ValidationError(_("Thao tác không hợp lệ."))
        messages.success(request, _("Đã ghi nhận."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect(f"{reverse(ACCOUNT)}?tab={tab}")
