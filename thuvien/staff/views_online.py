"""Staff pages of the online services: the queues (questions, copy requests, postal loans, suggestions)
scoped to the librarian's subtree, each request's page with the actions its state allows, the parcel
PDFs, the fees table of a unit and the service figures. Thin: `thuvien.online.services` does the work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuvien.catalog.models import Item, ItemStatus
from thuvien.core.models import OrgUnit, User
from thuvien.core.permissions import Perm, has_perm, require_perm, scope_q
from thuvien.online import fees, parcels, selectors
from thuvien.online import services as svc
from thuvien.online.models import (
    FREE_SERVICES,
    CopyRequest,
    CopyState,
    Fee,
    FeeExemption,
    FeeService,
    PaymentWay,
    PostalLoan,
    Question,
    Suggestion,
)
from thuvien.online.states import allowed
from thuvien.patrons.models import PatronCategory
from thuvien.staff.views_catalog import staff_only

KIND_TITLES = {"questions": gettext_lazy("Hỏi thủ thư"), "copies": gettext_lazy("Sao chụp từ xa"),
               "postal": gettext_lazy("Mượn qua bưu điện"), "suggestions": gettext_lazy("Đề nghị bổ sung")}


def _amount(text: str) -> Decimal | None:
    text = (text or "").replace(".", "").replace(",", "").replace(" ", "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError(_("Số tiền không hợp lệ.")) from exc
    return value


def _err(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@staff_only
def home(request: HttpRequest) -> HttpResponse:
    """Open requests per service, and the figures of the last 30 days for the user's home unit subtree."""
    user: User = request.user  # type: ignore[assignment]
    unit = user.home_unit or OrgUnit.objects.filter(scope_q(user, Perm.CIRC_DESK)).order_by("depth").first()
    end = timezone.now()
    start = end - dt.timedelta(days=30)
    context: dict[str, Any] = {"counts": selectors.queue_counts(user=user), "unit": unit, "titles": KIND_TITLES}
    if unit is not None:
        context["times"] = selectors.response_times(unit=unit, start=start, end=end)
        context["figures"] = selectors.service_counts(unit=unit, start=start, end=end)
    return render(request, "online/staff/home.html", context)


@staff_only
def queue(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in selectors.MODELS:
        raise Http404
    state = request.GET.get("state", "open")
    model = selectors.MODELS[kind]
    states = model._meta.get_field("state").choices
    page = Paginator(selectors.queue(user=request.user, kind=kind, state=state), 30).get_page(  # type: ignore[arg-type]
        request.GET.get("page"))
    return render(request, "online/staff/queue.html", {"kind": kind, "title": KIND_TITLES[kind], "page": page,
                                                        "state": state, "states": states})


def _colleagues(unit: OrgUnit):  # type: ignore[no-untyped-def]
    ancestors = unit.ancestor_ids
    return (User.objects.filter(is_active=True, grants__unit_id__in=ancestors,
                                grants__role__in=["network_admin", "library_manager", "circulation"])
            .distinct().order_by("username")[:100])


@staff_only
def question(request: HttpRequest, pk: int) -> HttpResponse:
    q = get_object_or_404(Question.objects.select_related("library", "assigned_to", "patron"), pk=pk)
    require_perm(request.user, Perm.CIRC_DESK, q.library)  # type: ignore[arg-type]
    if request.method == "POST":
        action, user = request.POST.get("action"), request.user
        try:
            if action == "assign":
                assignee = get_object_or_404(User, pk=request.POST.get("assignee") or user.pk)
                svc.question_assign(actor=user, question=q, assignee=assignee)  # type: ignore[arg-type]
            elif action == "answer":
                svc.question_answer(actor=user, question=q, answer=request.POST.get("answer", ""))  # type: ignore[arg-type]
            elif action == "forward":
                target = get_object_or_404(OrgUnit, pk=request.POST.get("library"))
                svc.question_forward(actor=user, question=q, library=target, note=request.POST.get("note", ""))  # type: ignore[arg-type]
                messages.success(request, _("Đã chuyển câu hỏi đến %(l)s.") % {"l": target.name})
                return redirect("staff:online:queue", kind="questions")
            elif action == "publish":
                svc.question_publish(actor=user, question=q, public_question=request.POST.get("public_question", ""),  # type: ignore[arg-type]
                                     public_answer=request.POST.get("public_answer", ""))
            elif action == "unpublish":
                svc.question_unpublish(actor=user, question=q)  # type: ignore[arg-type]
            else:
                raise ValidationError(_("Thao tác không hợp lệ."))
            messages.success(request, _("Đã lưu."))
        except ValidationError as exc:
            _err(request, exc)
        return redirect("staff:online:question", pk=q.pk)
    root = q.library.path.split("/")[1]
    targets = OrgUnit.objects.filter(is_active=True, path__startswith=f"/{root}/", kind__holds_items=True).exclude(
        pk=q.library_id).order_by("path")
    return render(request, "online/staff/question.html", {
        "q": q, "colleagues": _colleagues(q.library), "targets": targets, "next": allowed("question", q.state),
        "public_question": q.public_question or svc.anonymise(q.text),
        "public_answer": q.public_answer or svc.anonymise(q.answer)})


@staff_only
def copy(request: HttpRequest, pk: int) -> HttpResponse:
    r = get_object_or_404(CopyRequest.objects.select_related("library", "record", "patron__category"), pk=pk)
    require_perm(request.user, Perm.CIRC_DESK, r.library)  # type: ignore[arg-type]
    if request.method == "POST":
        action, user, post = request.POST.get("action"), request.user, request.POST
        try:
            if action == "quote":
                svc.copy_quote_send(actor=user, request=r, amount=_amount(post.get("amount", "")))  # type: ignore[arg-type]
            elif action == "refuse":
                svc.copy_refuse(actor=user, request=r, reason=post.get("reason", ""))  # type: ignore[arg-type]
            elif action == "pay":
                svc.copy_pay(actor=user, request=r, way=post.get("way", ""), reference=post.get("reference", ""),  # type: ignore[arg-type]
                             amount=_amount(post.get("amount", "")))
            elif action == "done":
                svc.copy_attach_scan(actor=user, request=r, upload=request.FILES.get("scan"))  # type: ignore[arg-type]
            elif action == "deliver":
                svc.copy_deliver(actor=user, request=r)  # type: ignore[arg-type]
            else:
                raise ValidationError(_("Thao tác không hợp lệ."))
            messages.success(request, _("Đã lưu."))
        except ValidationError as exc:
            _err(request, exc)
        return redirect("staff:online:copy", pk=r.pk)
    quote = fees.copy_quote(unit=r.library, page_count=r.page_count, delivery=r.delivery, copy_format=r.copy_format,
                            zone=r.zone, category=r.patron.category)
    return render(request, "online/staff/copy.html", {"r": r, "next": allowed("copy", r.state), "quote": quote,
                                                       "ways": PaymentWay.choices, "S": CopyState})


@staff_only
def postal(request: HttpRequest, pk: int) -> HttpResponse:
    p = get_object_or_404(PostalLoan.objects.select_related("library", "record", "patron__category", "item",
                                                            "culture_point", "loan"), pk=pk)
    require_perm(request.user, Perm.CIRC_DESK, p.library)  # type: ignore[arg-type]
    if request.method == "POST":
        action, user, post = request.POST.get("action"), request.user, request.POST
        try:
            if action == "pack":
                item = Item.objects.select_related("library").filter(barcode=post.get("barcode", "").strip()).first()
                if item is None:
                    raise ValidationError(_("Không tìm thấy bản có mã vạch này."))
                try:
                    weight = int(post.get("weight_g", "0"))
                except ValueError as exc:
                    raise ValidationError(_("Khối lượng phải là số gam.")) from exc
                svc.postal_pack(actor=user, postal=p, item=item, weight_g=weight)  # type: ignore[arg-type]
            elif action == "ship":
                svc.postal_ship(actor=user, postal=p, tracking_number=post.get("tracking_number", ""))  # type: ignore[arg-type]
            elif action == "receive":
                svc.postal_receive(actor=user, postal=p)  # type: ignore[arg-type]
            elif action == "refuse":
                svc.postal_refuse(actor=user, postal=p, reason=post.get("reason", ""))  # type: ignore[arg-type]
            else:
                raise ValidationError(_("Thao tác không hợp lệ."))
            messages.success(request, _("Đã lưu."))
        except ValidationError as exc:
            _err(request, exc)
        return redirect("staff:online:postal", pk=p.pk)
    items = Item.objects.filter(record=p.record, library__path__startswith=p.library.path,
                                status=ItemStatus.AVAILABLE).select_related("library").order_by("barcode")[:20]
    return render(request, "online/staff/postal.html", {"p": p, "next": allowed("postal", p.state), "items": items})


@staff_only
def postal_pdf(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    p = get_object_or_404(PostalLoan.objects.select_related("library", "record", "patron", "item", "culture_point",
                                                            "loan"), pk=pk)
    require_perm(request.user, Perm.CIRC_DESK, p.library)  # type: ignore[arg-type]
    if p.item is None or what not in ("slip", "label"):
        raise Http404
    data = parcels.packing_slip_pdf(p) if what == "slip" else parcels.address_label_pdf(p)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="buu-gui-{p.pk}-{what}.pdf"'
    return response


@staff_only
def suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    s = get_object_or_404(Suggestion.objects.select_related("library"), pk=pk)
    if request.method != "POST":
        raise Http404
    try:
        svc.suggestion_decide(actor=request.user, suggestion=s, accept=request.POST.get("action") == "accept",  # type: ignore[arg-type]
                              reason=request.POST.get("reason", ""))
        messages.success(request, _("Đã lưu."))
    except ValidationError as exc:
        _err(request, exc)
    return redirect("staff:online:queue", kind="suggestions")


@staff_only
def fees_page(request: HttpRequest) -> HttpResponse:
    """A unit's fees table: its own lines, what it inherits, exemptions; managers of the unit edit."""
    user: User = request.user  # type: ignore[assignment]
    units = OrgUnit.objects.filter(is_active=True).order_by("path")
    code = request.GET.get("unit") or request.POST.get("unit") or (user.home_unit.code if user.home_unit else "")
    unit = get_object_or_404(OrgUnit, code=code) if code else units.first()
    if unit is None:
        raise Http404
    can_edit = has_perm(user, Perm.CIRC_POLICY, unit)
    if request.method == "POST":
        action, post = request.POST.get("action"), request.POST
        try:
            if action == "add":
                cat = PatronCategory.objects.filter(pk=post.get("category") or 0).first()
                weight = post.get("weight_max_g", "").strip()
                amount = _amount(post.get("amount", ""))
                if amount is None:
                    raise ValidationError(_("Hãy nhập mức thu."))
                svc.fee_set(actor=user, unit=unit, service=post.get("service", ""), amount=amount, category=cat,
                            copy_format=post.get("copy_format", ""), zone=post.get("zone", ""),
                            weight_max_g=int(weight) if weight.isdigit() else None)
            elif action == "delete":
                svc.fee_delete(actor=user, fee=get_object_or_404(Fee, pk=post.get("fee"), unit=unit))
            elif action == "exempt":
                cat = get_object_or_404(PatronCategory, pk=post.get("category"))
                svc.exemption_set(actor=user, unit=unit, service=post.get("service", ""), category=cat,
                                  note=post.get("note", ""))
            elif action == "unexempt":
                svc.exemption_delete(actor=user, exemption=get_object_or_404(FeeExemption, pk=post.get("exemption"),
                                                                             unit=unit))
            messages.success(request, _("Đã lưu biểu phí."))
        except ValidationError as exc:
            _err(request, exc)
        return redirect(f"{request.path}?unit={unit.code}")
    effective = []
    for service in FeeService:
        lines, source = fees.fee_lines(unit=unit, service=service)
        effective.append({"service": service, "lines": lines, "source": source,
                          "free": service in FREE_SERVICES})
    exemptions = FeeExemption.objects.filter(unit_id__in=unit.ancestor_ids).select_related("unit", "category")
    return render(request, "online/staff/fees.html", {
        "unit": unit, "units": units, "can_edit": can_edit, "effective": effective, "exemptions": exemptions,
        "services": FeeService.choices, "categories": PatronCategory.objects.all(),
        "formats": Fee._meta.get_field("copy_format").choices, "zones": Fee._meta.get_field("zone").choices})
