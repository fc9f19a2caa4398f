"""Staff pages for readers' personal data: edit a reader (the reader's home library subtree; opening the
full record is logged), record a consent given at the desk with the exact wording shown, and the queue of
online registrations waiting for approval. Thin over patrons.services and patrons.selectors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuvien.core.models import OrgUnit
from thuvien.core.permissions import Perm, has_perm, has_perm_somewhere, scope_q
from thuvien.patrons import photos
from thuvien.patrons import selectors as patron_sel
from thuvien.patrons import services as patron_svc
from thuvien.patrons.conf import CONSENT_VERSION, CONSENT_WORDING
from thuvien.patrons.models import ConsentGiver, ConsentPurpose, Patron, PatronCategory, PatronStatus
from thuvien.staff.views_core import _refused


class PatronEditForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=255)
    birth_date = forms.DateField(label=gettext_lazy("Ngày sinh"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    gender = forms.ChoiceField(label=gettext_lazy("Giới tính"), required=False,
                               choices=[("", "—"), ("f", gettext_lazy("Nữ")), ("m", gettext_lazy("Nam")),
                                        ("o", gettext_lazy("Khác"))])
    ethnicity = forms.CharField(label=gettext_lazy("Dân tộc"), max_length=60, required=False)
    category = forms.ModelChoiceField(label=gettext_lazy("Đối tượng"), queryset=PatronCategory.objects.all())
    home_library = forms.ModelChoiceField(label=gettext_lazy("Thư viện đăng ký"), queryset=OrgUnit.objects.none())
    id_number = forms.CharField(label=gettext_lazy("Số CCCD mới (để trống: giữ số đã lưu)"), max_length=20,
                                required=False)
    id_verified = forms.BooleanField(label=gettext_lazy("Đã kiểm tra giấy tờ"), required=False)
    address = forms.CharField(label=gettext_lazy("Địa chỉ"), max_length=500, required=False)
    phone = forms.CharField(label=gettext_lazy("Điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=gettext_lazy("Thư điện tử"), required=False)
    expires_on = forms.DateField(label=gettext_lazy("Ngày hết hạn thẻ"),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    guardian_name = forms.CharField(label=gettext_lazy("Cha, mẹ hoặc người giám hộ"), max_length=255, required=False)
    guardian_phone = forms.CharField(label=gettext_lazy("Điện thoại người giám hộ"), max_length=20, required=False)
    notes = forms.CharField(label=gettext_lazy("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, staff: Any, reader: Patron, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.filter(scope_q(staff, Perm.PATRON_EDIT), is_active=True) | \
            OrgUnit.objects.filter(pk=reader.home_library_id)
        self.fields["home_library"].queryset = units.distinct().order_by("path")  # type: ignore[attr-defined]


FIELDS = ("full_name", "birth_date", "gender", "ethnicity", "id_verified", "address", "phone", "email", "expires_on",
          "guardian_name", "guardian_phone", "notes")


def _reader(card: str) -> Patron:
    return get_object_or_404(Patron.objects.select_related("category", "home_library", "user"), card_number=card)


@login_required
def patron_edit(request: HttpRequest, card: str) -> HttpResponse:
    """Edit a reader's record: staff who may edit readers at the reader's home library (its subtree)."""
    user: Any = request.user
    reader = _reader(card)
    if reader.status == PatronStatus.ERASED or not has_perm(user, Perm.PATRON_EDIT, reader.home_library):
        return _refused(request, PermissionDenied(_("Chỉ thư viện nơi bạn đọc đăng ký được sửa hồ sơ bạn đọc này.")))
    initial = {f: getattr(reader, f) for f in FIELDS}
    initial.update(category=reader.category, home_library=reader.home_library)
    form = PatronEditForm(request.POST or None, initial=initial, staff=user, reader=reader)
    if request.method == "POST" and form.is_valid():
        data = {f: v for f, v in form.cleaned_data.items() if f not in ("id_number",)}
        data = {f: (v.strip() if isinstance(v, str) else v) for f, v in data.items()}
        if form.cleaned_data["id_number"].strip():
            data["id_number"] = form.cleaned_data["id_number"]
        changed = {f: v for f, v in data.items() if f == "id_number" or getattr(reader, f) != v}
        try:
            if changed:
                patron_svc.patron_update(actor=user, patron=reader, data=changed)
        except PermissionDenied as exc:
            return _refused(request, exc)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu hồ sơ bạn đọc.") if changed else _("Không có gì thay đổi."))
            return redirect("staff:circ:patron", card=reader.card_number)
    elif request.method != "POST":
        patron_svc.patron_record_viewed(actor=user, patron=reader)
    return render(request, "staff/readers/edit.html", {"reader": reader, "form": form})


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's errors on the form: field errors on their field when the form has it, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=gettext_lazy("Mục đích"), choices=ConsentPurpose.choices,
                                widget=forms.RadioSelect)
    given_by = forms.ChoiceField(label=gettext_lazy("Người đồng ý"), choices=ConsentGiver.choices,
                                 initial=ConsentGiver.SELF)
    guardian_name = forms.CharField(label=gettext_lazy("Họ tên cha, mẹ hoặc người giám hộ"), max_length=255,
                                    required=False)
    child_agreed = forms.BooleanField(label=gettext_lazy("Trẻ (từ đủ 7 tuổi) cũng đồng ý"), required=False)
    wording_version = forms.CharField(widget=forms.HiddenInput, max_length=20)
    read_out = forms.BooleanField(label=gettext_lazy("Tôi đã đọc (hoặc đưa bạn đọc đọc) nguyên văn nội dung trên và "
                                                     "bạn đọc đồng ý"))


@login_required
def patron_consent(request: HttpRequest, card: str) -> HttpResponse:
    """Consents at the desk: each purpose's exact wording and version, the consents in force, give or withdraw."""
    user: Any = request.user
    reader = _reader(card)
    if reader.status == PatronStatus.ERASED or not has_perm(user, Perm.PATRON_EDIT, reader.home_library):
        return _refused(request, PermissionDenied(_("Chỉ thư viện nơi bạn đọc đăng ký được ghi sự đồng ý của bạn đọc.")))
    form = ConsentForm(request.POST or None, initial={"wording_version": CONSENT_VERSION})
    if request.method == "POST" and request.POST.get("withdraw"):
        purpose = request.POST["withdraw"]
        if purpose in ConsentPurpose.values:
            patron_svc.consent_withdraw(actor=user, patron=reader, purpose=purpose)
            messages.success(request, _("Đã ghi việc rút lại sự đồng ý."))
        return redirect("staff:circ:patron_consent", card=reader.card_number)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            patron_svc.consent_grant(actor=user, patron=reader, purpose=d["purpose"], given_by=d["given_by"],
                                     guardian_name=d["guardian_name"], child_agreed=d["child_agreed"], channel="desk",
                                     wording_version=d["wording_version"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi sự đồng ý."))
            return redirect("staff:circ:patron_consent", card=reader.card_number)
    elif request.method != "POST":
        patron_svc.patron_record_viewed(actor=user, patron=reader)
    active = patron_sel.consent_active(patron=reader)
    purposes = [{"value": value, "label": label, "wording": str(CONSENT_WORDING[value]), "current": active.get(value)}
                for value, label in ConsentPurpose.choices]
    history = reader.consents.order_by("-given_at", "-pk")[:50]
    return render(request, "staff/readers/consent.html", {
        "reader": reader, "form": form, "purposes": purposes, "version": CONSENT_VERSION, "history": history})


@login_required
def registrations(request: HttpRequest) -> HttpResponse:
    """The queue of online registrations waiting at the libraries where the staff member edits readers."""
    user: Any = request.user
    if not has_perm_somewhere(user, Perm.PATRON_EDIT):
        return _refused(request, PermissionDenied(_("Bạn không có quyền duyệt bạn đọc.")))
    if request.method == "POST":
        reader = Patron.objects.filter(card_number=request.POST.get("card", "")).first()
        if reader is None:
            messages.error(request, _("Không tìm thấy bạn đọc."))
            return redirect("staff:circ:registrations")
        try:
            if request.POST.get("action") == "approve":
                patron_svc.patron_approve(actor=user, patron=reader)
                messages.success(request, _("Đã duyệt %(n)s (thẻ %(c)s).") % {"n": reader.full_name,
                                                                              "c": reader.card_number})
            elif request.POST.get("action") == "reject":
                patron_svc.patron_reject(actor=user, patron=reader, reason=request.POST.get("reason", ""))
                messages.success(request, _("Đã từ chối đăng ký thẻ %(c)s và xoá dữ liệu của người đăng ký.")
                                 % {"c": reader.card_number})
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("staff:circ:registrations")
    page = Paginator(patron_sel.patron_list_pending(staff=user), 50).get_page(request.GET.get("page"))
    now = timezone.now()
    for reader in page:
        reader.waiting_days = (now - reader.created_at).days  # type: ignore[attr-defined]
    return render(request, "staff/readers/registrations.html", {"page": page})


@login_required
def patron_photo(request: HttpRequest, card: str) -> HttpResponse:
    """Upload, replace or remove the reader's portrait for the card (POST from the edit page)."""
    user: Any = request.user
    reader = _reader(card)
    if request.method != "POST":
        return redirect("staff:circ:patron_edit", card=reader.card_number)
    if reader.status == PatronStatus.ERASED or not has_perm(user, Perm.PATRON_EDIT, reader.home_library):
        return _refused(request, PermissionDenied(_("Chỉ thư viện nơi bạn đọc đăng ký được sửa hồ sơ bạn đọc này.")))
    upload = request.FILES.get("photo")
    try:
        if request.POST.get("remove"):
            photos.patron_photo_set(actor=user, patron=reader, data=None)
            messages.success(request, _("Đã xoá ảnh chân dung."))
        else:
            photos.patron_photo_set(actor=user, patron=reader, data=upload.read() if upload is not None else b"")
            messages.success(request, _("Đã lưu ảnh chân dung; ảnh sẽ in trên thẻ bạn đọc."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("staff:circ:patron_edit", card=reader.card_number)
