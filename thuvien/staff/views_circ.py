"""Staff circulation desk pages: scanner-friendly checkout, check-in with routing, renewals, fines,
holds pull list and transits, reader registration, and the policy matrix with "which rule applies".
Thin: services and selectors do the work."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

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

from thuvien.catalog.models import Item, ItemType
from thuvien.catalog.selectors import item_for_scan
from thuvien.circulation import selectors as circ_sel
from thuvien.circulation import services as circ
from thuvien.circulation.models import CirculationRule, Fine, Loan
from thuvien.circulation.policy import rule_resolve
from thuvien.core.barcodes import code128_svg
from thuvien.core.models import OrgUnit
from thuvien.core.money import amount_text
from thuvien.core.params import int_param, int_params
from thuvien.core.permissions import Perm, has_perm, scope_q
from thuvien.patrons import selectors as patron_sel
from thuvien.patrons import services as patron_svc
from thuvien.patrons.conf import CONSENT_WORDING
from thuvien.patrons.models import ConsentPurpose, Patron, PatronCategory


def _desk(request: HttpRequest) -> OrgUnit:
    """The unit this desk works for: ?desk=CODE, else the session's choice, else the user's home unit."""
    code = request.GET.get("desk") or request.session.get("circ_desk")
    unit = OrgUnit.objects.filter(code=code).first() if code else None
    unit = unit or request.user.home_unit  # type: ignore[union-attr]
    if unit is None or not has_perm(request.user, Perm.CIRC_DESK, unit):  # type: ignore[arg-type]
        raise PermissionDenied(_("Bạn không có quyền mượn trả tại đơn vị này."))
    request.session["circ_desk"] = unit.code
    return unit


def _refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return render(request, "staff/refused.html", {"reason": str(exc)}, status=403)


def _checkout_warnings(*, desk: OrgUnit, reader: Patron, item: Item) -> list[str]:
    """What the desk should look at before lending: a copy of another library, a title the reader already has."""
    warnings = []
    if not item.library.is_within(desk):
        warnings.append(_("Bản này thuộc %(lib)s, không phải %(desk)s.") % {"lib": item.library.name, "desk": desk.name})
    same = (Loan.objects.filter(patron=reader, returned_at__isnull=True, item__record_id=item.record_id)
            .exclude(item=item).values_list("item__barcode", flat=True).first())
    if same:
        warnings.append(_("Bạn đọc đang mượn một bản khác của nhan đề này (%(b)s).") % {"b": same})
    return warnings


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    try:
        desk = _desk(request)
    except PermissionDenied as exc:
        return _refused(request, exc)
    card = request.GET.get("card", "").strip()
    if card:
        patron = patron_sel.patron_get_for_desk(staff=request.user, card_number=card)  # type: ignore[arg-type]
        if patron is not None:
            return redirect("staff:circ:patron", card=patron.card_number)
        found = list(patron_sel.patron_list(staff=request.user, query=card)[:20])  # type: ignore[arg-type]
        if len(found) == 1:
            return redirect("staff:circ:patron", card=found[0].card_number)
        return render(request, "staff/circ/home.html", {"desk": desk, "found": found, "query": card})
    return render(request, "staff/circ/home.html", {
        "desk": desk,
        "pull": circ_sel.hold_pull_list(staff=request.user, library=desk)[:50],  # type: ignore[arg-type]
        "shelf": circ_sel.hold_shelf(library=desk)[:50],
        "incoming": circ_sel.transit_list(library=desk)[:50],
    })


@login_required
def patron(request: HttpRequest, card: str) -> HttpResponse:
    try:
        desk = _desk(request)
    except PermissionDenied as exc:
        return _refused(request, exc)
    reader = get_object_or_404(Patron.objects.select_related("category", "home_library"), card_number=card)
    if request.method == "POST":
        return _patron_post(request, desk, reader)
    level = patron_svc.patron_view_level(request.user, reader)  # type: ignore[arg-type]
    if level == "full":
        patron_svc.patron_record_viewed(actor=request.user, patron=reader)  # type: ignore[arg-type]
    values = circ.settings_many(desk, circ.DESK_KEYS)
    standing = circ.patron_standing(patron=reader, values=values, now=timezone.now())
    loans = list(circ_sel.loan_list_current(patron=reader))
    fines = list(circ_sel.fine_list_open(patron=reader))
    holds = circ_sel.hold_list_for_patron(patron=reader)
    if level != "full":  # another library's reader: only this desk's own loans and fines, no holds
        loans = [ln for ln in loans if ln.library.path.startswith(desk.path)]
        here = set(OrgUnit.objects.filter(path__startswith=desk.path).values_list("pk", flat=True))
        fines = [f for f in fines if f.library_id in here]
        holds = []
    now = timezone.now()
    for loan in loans:
        loan.accrued = circ_sel.accrued_fine(loan, now)  # type: ignore[attr-defined]
        loan.overdue = loan.due_at < now  # type: ignore[attr-defined]
    return render(request, "staff/circ/patron.html", {
        "desk": desk, "reader": reader, "standing": standing, "loans": loans,
        "holds": holds, "fines": fines, "limited": level != "full",
        "fines_total": circ_sel.fines_total(patron=reader) if level == "full" else sum(f.balance for f in fines),
        "request_id": uuid.uuid4(), "can_override": has_perm(request.user, Perm.CIRC_OVERRIDE, desk),  # type: ignore[arg-type]
        "can_edit_reader": level == "full" and reader.status != "erased"
        and has_perm(request.user, Perm.PATRON_EDIT, reader.home_library),  # type: ignore[arg-type]
        "last": request.session.pop("circ_last", None), "now": now,
    })


def _patron_post(request: HttpRequest, desk: OrgUnit, reader: Patron) -> HttpResponse:
    action = request.POST.get("action")
    user = request.user
    try:
        if action == "checkout":
            barcode = request.POST.get("barcode", "").strip()
            item = item_for_scan(barcode)
            if item is None:
                raise circ.CirculationError(_("Không tìm thấy tài liệu có mã vạch %(b)s.") % {"b": barcode})
            names = {"t": item.record.title, "r": reader.full_name, "b": barcode}
            warnings = _checkout_warnings(desk=desk, reader=reader, item=item)
            if warnings and request.POST.get("confirm") != "1":
                request.session["circ_last"] = {
                    "kind": "warn", "text": _("Kiểm tra trước khi cho mượn “%(t)s” (%(b)s) cho %(r)s:") % names,
                    "details": warnings, "confirm": True, "barcode": barcode,
                    "request_id": request.POST.get("request_id", ""), "override": request.POST.get("override", "")}
                return redirect("staff:circ:patron", card=reader.card_number)
            try:
                loan = circ.loan_checkout(actor=user, item=item, patron=reader, desk=desk,  # type: ignore[arg-type]
                                          request_id=request.POST.get("request_id") or None,
                                          override=request.POST.get("override") == "1")
            except circ.BlockedError as exc:
                request.session["circ_last"] = {
                    "kind": "bad", "text": _("Không cho mượn “%(t)s” cho %(r)s:") % names, "details": exc.reasons}
                return redirect("staff:circ:patron", card=reader.card_number)
            except circ.CirculationError as exc:
                request.session["circ_last"] = {
                    "kind": "bad", "text": _("Không cho mượn “%(t)s” cho %(r)s:") % names, "details": exc.messages}
                return redirect("staff:circ:patron", card=reader.card_number)
            request.session["circ_last"] = {"kind": "ok", "text": _(
                "Đã cho %(r)s mượn “%(t)s” (%(b)s). Hạn trả %(d)s.") % {
                **names, "d": timezone.localtime(loan.due_at).strftime("%d/%m/%Y")}}
        elif action == "renew":
            for loan in Loan.objects.filter(pk__in=int_params(request.POST.getlist("loan")), patron=reader):
                loan = circ.loan_renew(actor=user, loan=loan, override=request.POST.get("override") == "1")  # type: ignore[arg-type]
                messages.success(request, _("Đã gia hạn đến %(d)s.") % {
                    "d": timezone.localtime(loan.due_at).strftime("%d/%m/%Y")})
        elif action in ("lost", "claimed"):
            loan = get_object_or_404(Loan, pk=int_param(request.POST.get("loan")), patron=reader)
            if action == "lost":
                circ.loan_mark_lost(actor=user, loan=loan)  # type: ignore[arg-type]
            else:
                circ.loan_claim_returned(actor=user, loan=loan)  # type: ignore[arg-type]
            messages.success(request, _("Đã cập nhật."))
        elif action == "pay":
            try:
                amount = Decimal(request.POST.get("amount", "0").replace(".", "").replace(",", ""))
            except InvalidOperation as exc:
                raise circ.CirculationError(_("Số tiền không hợp lệ.")) from exc
            circ.fine_pay(actor=user, patron=reader, amount=amount, desk=desk,  # type: ignore[arg-type]
                          method=request.POST.get("method", "cash"), request_id=request.POST.get("request_id") or None)
            messages.success(request, _("Đã thu %(a)s đ.") % {"a": amount_text(amount)})
        elif action == "waive":
            fine = get_object_or_404(Fine, pk=int_param(request.POST.get("fine")), patron=reader)
            circ.fine_waive(actor=user, fine=fine, desk=desk, note=request.POST.get("note", ""))  # type: ignore[arg-type]
            messages.success(request, _("Đã miễn khoản phạt."))
        elif action == "block":
            patron_svc.patron_block(actor=user, patron=reader, note=request.POST.get("note", ""))  # type: ignore[arg-type]
        elif action == "unblock":
            block = get_object_or_404(reader.blocks, pk=int_param(request.POST.get("block")))
            patron_svc.patron_unblock(actor=user, block=block)  # type: ignore[arg-type]
        elif action == "approve":
            patron_svc.patron_approve(actor=user, patron=reader)  # type: ignore[arg-type]
        elif action == "renew_card":
            patron_svc.patron_renew_card(actor=user, patron=reader)  # type: ignore[arg-type]
        elif action == "set_pin":
            patron_svc.patron_set_pin(actor=user, patron=reader, pin=request.POST.get("pin", ""))  # type: ignore[arg-type]
            messages.success(request, _("Đã đặt mã PIN cho bạn đọc."))
        elif action == "clear_pin":
            patron_svc.patron_clear_pin(actor=user, patron=reader)  # type: ignore[arg-type]
            messages.success(request, _("Đã xoá mã PIN của bạn đọc."))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except circ.BlockedError as exc:
        request.session["circ_last"] = {"kind": "bad", "text": _("Không thể thực hiện:"), "details": exc.reasons}
    except (ValidationError, ValueError) as exc:
        messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
    return redirect("staff:circ:patron", card=reader.card_number)


@login_required
def checkin(request: HttpRequest) -> HttpResponse:
    try:
        desk = _desk(request)
    except PermissionDenied as exc:
        return _refused(request, exc)
    results = request.session.get("circ_checkins", [])
    if request.method == "POST":
        barcode = request.POST.get("barcode", "").strip()
        item = item_for_scan(barcode)
        if item is None:
            messages.error(request, _("Không tìm thấy tài liệu có mã vạch %(b)s.") % {"b": barcode})
        else:
            try:
                r = circ.loan_checkin(actor=request.user, item=item, desk=desk,  # type: ignore[arg-type]
                                      request_id=request.POST.get("request_id") or None)
            except (circ.CirculationError, PermissionDenied) as exc:
                messages.error(request, str(exc) if isinstance(exc, PermissionDenied) else _errors(exc))
            else:
                reader_name = r.loan.patron.full_name if r.loan is not None and r.loan.patron is not None else ""
                results = [{"barcode": barcode, "title": item.record.title, "route": r.route, "message": r.message,
                            "reader": reader_name,
                            "fine": int(r.fine.amount) if r.fine else None, "days_late": r.days_late}, *results][:30]
                request.session["circ_checkins"] = results
        return redirect("staff:circ:checkin")
    return render(request, "staff/circ/checkin.html", {"desk": desk, "results": results, "request_id": uuid.uuid4()})


@login_required
def receipt(request: HttpRequest, card: str) -> HttpResponse:
    try:
        desk = _desk(request)
    except PermissionDenied as exc:
        return _refused(request, exc)
    reader = get_object_or_404(Patron, card_number=card)
    today = timezone.localdate()
    loans = [ln for ln in circ_sel.loan_list_current(patron=reader)
             if timezone.localtime(ln.checked_out_at).date() == today] or list(circ_sel.loan_list_current(patron=reader))
    if request.method == "POST":
        try:
            circ.receipt_email(actor=request.user, desk=desk, patron=reader, loans=loans)  # type: ignore[arg-type]
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("Đã gửi biên nhận tới %(email)s.") % {"email": reader.email})
        return redirect("staff:circ:receipt", card=reader.card_number)
    return render(request, "staff/circ/receipt.html", {"desk": desk, "reader": reader, "loans": loans, "now": timezone.now()})


@login_required
def card(request: HttpRequest, card: str) -> HttpResponse:
    """A printable library card (ID-1 size) with the card number as a Code 128 barcode."""
    try:
        desk = _desk(request)
    except PermissionDenied as exc:
        return _refused(request, exc)
    reader = get_object_or_404(Patron.objects.select_related("category", "home_library"), card_number=card)
    return render(request, "staff/circ/card.html", {"desk": desk, "reader": reader,
                                                    "barcode_svg": code128_svg(reader.card_number)})


class PatronForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=255)
    birth_date = forms.DateField(label=gettext_lazy("Ngày sinh"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    gender = forms.ChoiceField(label=gettext_lazy("Giới tính"), required=False,
                               choices=[("", "—"), ("f", gettext_lazy("Nữ")), ("m", gettext_lazy("Nam")),
                                        ("o", gettext_lazy("Khác"))])
    ethnicity = forms.CharField(label=gettext_lazy("Dân tộc"), required=False)
    category = forms.ModelChoiceField(label=gettext_lazy("Đối tượng"), queryset=PatronCategory.objects.all())
    id_number = forms.CharField(label=gettext_lazy("Số CCCD (không lưu ảnh giấy tờ)"), required=False)
    id_verified = forms.BooleanField(label=gettext_lazy("Đã kiểm tra giấy tờ"), required=False)
    address = forms.CharField(label=gettext_lazy("Địa chỉ"), required=False)
    phone = forms.CharField(label=gettext_lazy("Điện thoại"), required=False)
    email = forms.EmailField(label=gettext_lazy("Thư điện tử"), required=False)
    guardian_name = forms.CharField(label=gettext_lazy("Cha, mẹ hoặc người giám hộ (bạn đọc dưới 16 tuổi)"),
                                    required=False)
    guardian_phone = forms.CharField(label=gettext_lazy("Điện thoại người giám hộ"), required=False)
    child_agreed = forms.BooleanField(label=gettext_lazy("Trẻ (từ đủ 7 tuổi) cũng đồng ý"), required=False)
    consents = forms.MultipleChoiceField(label=gettext_lazy("Bạn đọc đồng ý (đọc nguyên văn cho bạn đọc)"),
                                         choices=ConsentPurpose.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    confirm_duplicates = forms.BooleanField(label=gettext_lazy("Tôi đã kiểm tra: không phải người trùng"),
                                            required=False)


@login_required
def patron_new(request: HttpRequest) -> HttpResponse:
    try:
        desk = _desk(request)
    except PermissionDenied as exc:
        return _refused(request, exc)
    form = PatronForm(request.POST or None)
    duplicates: list[Patron] = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        consents = data.pop("consents")
        guardian = data.pop("guardian_name")
        child_agreed = data.pop("child_agreed")
        confirm = data.pop("confirm_duplicates")
        try:
            reader = patron_svc.patron_create(actor=request.user, home_library=desk, data=data,  # type: ignore[arg-type]
                                              consents=consents, guardian_name=guardian, child_agreed=child_agreed,
                                              confirm_duplicates=confirm)
        except patron_svc.DuplicateWarning as exc:
            duplicates = exc.matches
            form.add_error(None, exc)
        except PermissionDenied as exc:
            return _refused(request, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã cấp thẻ %(c)s.") % {"c": reader.card_number})
            return redirect("staff:circ:patron", card=reader.card_number)
    return render(request, "staff/circ/patron_form.html", {"desk": desk, "form": form, "duplicates": duplicates,
                                                            "wordings": CONSENT_WORDING})


class RuleTestForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Thư viện"), queryset=OrgUnit.objects.filter(is_active=True))
    category = forms.ModelChoiceField(label=gettext_lazy("Đối tượng"), queryset=PatronCategory.objects.all())
    item_type = forms.ModelChoiceField(label=gettext_lazy("Loại tài liệu"), queryset=ItemType.objects.all(),
                                       required=False)


class RuleForm(forms.Form):
    """One cell of the policy matrix; empty category or item type means "any"."""

    unit = forms.ModelChoiceField(label=gettext_lazy("Áp dụng tại (cả đơn vị con)"), queryset=OrgUnit.objects.none())
    patron_category = forms.ModelChoiceField(label=gettext_lazy("Đối tượng bạn đọc"), required=False,
                                             queryset=PatronCategory.objects.all(),
                                             empty_label=gettext_lazy("mọi đối tượng"))
    item_type = forms.ModelChoiceField(label=gettext_lazy("Loại tài liệu"), required=False,
                                       queryset=ItemType.objects.all(), empty_label=gettext_lazy("mọi loại"))
    loan_days = forms.IntegerField(label=gettext_lazy("Số ngày mượn"), min_value=0, max_value=365, initial=14)
    renewals = forms.IntegerField(label=gettext_lazy("Số lần gia hạn"), min_value=0, max_value=20, initial=1)
    max_loans = forms.IntegerField(label=gettext_lazy("Số tài liệu mượn tối đa"), min_value=0, max_value=500,
                                   initial=5)
    max_holds = forms.IntegerField(label=gettext_lazy("Số đặt mượn tối đa (0 = không cho đặt)"), min_value=0,
                                   max_value=100, initial=3)
    fine_per_day = forms.DecimalField(label=gettext_lazy("Phạt quá hạn mỗi ngày (đồng)"), min_value=0,
                                      decimal_places=0, initial=0)
    fine_cap = forms.DecimalField(label=gettext_lazy("Mức phạt tối đa (đồng)"), min_value=0, decimal_places=0,
                                  initial=0)
    grace_days = forms.IntegerField(label=gettext_lazy("Số ngày ân hạn"), min_value=0, max_value=60, initial=0)
    no_renewal_before = forms.IntegerField(
        label=gettext_lazy("Chỉ gia hạn trong N ngày trước hạn trả (trống = lúc nào cũng được)"), min_value=0,
        max_value=365, required=False)

    def __init__(self, *args, units=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()  # type: ignore[attr-defined]


def _policy_units(user) -> list[int]:  # type: ignore[no-untyped-def]
    """Ids of active units where `user` may set loan rules."""
    return list(OrgUnit.objects.filter(scope_q(user, Perm.CIRC_POLICY), is_active=True).values_list("pk", flat=True))


@login_required
def policy(request: HttpRequest) -> HttpResponse:
    rules = (CirculationRule.objects.select_related("unit", "patron_category", "item_type")
             .order_by("unit__path", "patron_category__sort_order", "item_type__code"))
    page = Paginator(rules, 100).get_page(request.GET.get("page"))
    form = RuleTestForm(request.GET if "unit" in request.GET else None)
    resolution = None
    if form.is_bound and form.is_valid():
        resolution = rule_resolve(unit=form.cleaned_data["unit"], category=form.cleaned_data["category"],
                                  item_type=form.cleaned_data["item_type"])
    editable = set(_policy_units(request.user))
    rule_form = RuleForm(request.POST if "save" in request.POST else None,
                         units=OrgUnit.objects.filter(pk__in=editable).order_by("path"))
    if request.method == "POST":
        try:
            if "delete" in request.POST:
                rule = get_object_or_404(CirculationRule, pk=int_param(request.POST["delete"]))
                circ.rule_delete(actor=request.user, rule=rule)  # type: ignore[arg-type]
                messages.success(request, _("Đã xoá quy định."))
                return redirect("staff:circ:policy")
            if rule_form.is_valid():
                data = dict(rule_form.cleaned_data)
                circ.rule_save(actor=request.user, unit=data.pop("unit"),  # type: ignore[arg-type]
                               patron_category=data.pop("patron_category"), item_type=data.pop("item_type"),
                               terms=data)
                messages.success(request, _("Đã lưu quy định."))
                return redirect("staff:circ:policy")
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return render(request, "staff/refused.html", {"reason": str(exc)}, status=403)
        except ValidationError as exc:
            rule_form.add_error(None, exc)
    return render(request, "staff/circ/policy.html", {"page": page, "form": form, "resolution": resolution,
                                                      "rule_form": rule_form, "editable": editable})
