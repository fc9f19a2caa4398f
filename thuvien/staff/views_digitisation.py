"""Staff pages of the digitisation projects: the dashboard (progress against targets, pages per day,
throughput per operator, CSV), a project's plan (select records, targets), a planned record's
workflow, and the quality-control review of its pages. Thin: each calls one service or selector."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.catalog.selectors import bib_list
from thuvien.core.permissions import Perm, scope_q
from thuvien.digital.models import Collection, DigitalObject
from thuvien.digitisation import selectors
from thuvien.digitisation.models import PlanItem, Project, RescanReason, State
from thuvien.digitisation.services import (
    item_transition,
    plan_add,
    plan_add_holdings,
    project_create,
    qc_send_back,
    rescan_mark,
    target_create,
)
from thuvien.digitisation.states import next_states
from thuvien.digitisation.tasks import item_checks_task
from thuvien.staff.forms_digitisation import PlanAddForm, ProjectForm, RescanForm, TargetForm, TransitionForm
from thuvien.staff.views_catalog import staff_only


def _user(request: HttpRequest) -> Any:
    return request.user


def _project(request: HttpRequest, pk: int) -> Project:
    project = selectors.project_get(user=_user(request), pk=pk)
    if project is None:
        raise Http404(_("Không có dự án số hoá này."))
    return project


def _item(request: HttpRequest, pk: int) -> PlanItem:
    item = selectors.item_get(user=_user(request), pk=pk)
    if item is None:
        raise Http404(_("Không có tài liệu này trong kế hoạch."))
    return item


def _errors(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc)


@staff_only
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard; a form to start a project for a collection that has none."""
    collections = Collection.objects.filter(scope_q(_user(request), Perm.DIGITAL_EDIT, "unit__"),
                                            project__isnull=True).order_by("name")
    form = ProjectForm(request.POST or None, collections=collections)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        project = project_create(actor=_user(request), collection=d["collection"], holdings_kind=d["holdings_kind"],
                                 min_ppi=d["min_ppi"])
        messages.success(request, _("Đã lập dự án số hoá."))
        return redirect("staff:digitisation:project", pk=project.pk)
    data = selectors.dashboard(user=_user(request))
    return render(request, "staff/digitisation/home.html", {"dash": data, "form": form,
                                                            "year": timezone.localdate().year})


@staff_only
def export_csv(request: HttpRequest) -> HttpResponse:
    out = io.StringIO()
    csv.writer(out).writerows(selectors.csv_rows(user=_user(request)))
    resp = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="so-hoa-{timezone.localdate():%Y%m%d}.csv"'
    return resp


@staff_only
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable progress report of one collection for a year (default: this year)."""
    from thuvien.digitisation.report import project_report
    from thuvien.reports.exports import report_render
    from thuvien.reports.periods import period_parse

    project = _project(request, pk)
    try:
        period = period_parse(request.GET.get("period", "") or str(timezone.localdate().year))
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("staff:digitisation:project", pk=pk)
    fmt = request.GET.get("format", "pdf")
    if fmt not in ("pdf", "xlsx", "csv"):
        fmt = "pdf"
    body = report_render(project_report(project=project, period=period), fmt)
    types = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    resp = HttpResponse(body, content_type=types[fmt])
    resp["Content-Disposition"] = f'inline; filename="tien-do-so-hoa-{project.collection.code}-{period.code}.{fmt}"'
    return resp


@staff_only
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's plan and targets; search the catalogue (or take all holdings) to add records."""
    project = _project(request, pk)
    user = _user(request)
    q = request.GET.get("q", "").strip()[:200]
    found = list(bib_list(q=q, library=None)[:30]) if q else []
    add_form = PlanAddForm(request.POST if "add" in request.POST else None,
                           choices=[(r.pk, r.title) for r in found] if found else
                           [(int(v), v) for v in request.POST.getlist("records") if v.isdigit()])
    target_form = TargetForm(request.POST if "target" in request.POST else None, prefix="t")
    if request.method == "POST":
        try:
            if "add" in request.POST and add_form.is_valid():
                d = add_form.cleaned_data
                from thuvien.catalog.models import BibRecord

                records = list(BibRecord.objects.filter(pk__in=d["records"], is_deleted=False).order_by("pk"))
                result = plan_add(actor=user, project=project, records=records, priority=d["priority"],
                                  condition=d["condition"])
                messages.success(request, _("Đã thêm %(n)s biểu ghi vào kế hoạch (%(k)s đã có).")
                                 % {"n": len(result.added), "k": result.already})
                return redirect("staff:digitisation:project", pk=pk)
            if "holdings" in request.POST:
                result = plan_add_holdings(actor=user, project=project)
                messages.success(request, _("Đã thêm %(n)s biểu ghi vào kế hoạch (%(k)s đã có).")
                                 % {"n": len(result.added), "k": result.already})
                return redirect("staff:digitisation:project", pk=pk)
            if "target" in request.POST and target_form.is_valid():
                target_create(actor=user, project=project, **target_form.cleaned_data)
                messages.success(request, _("Đã thêm chỉ tiêu."))
                return redirect("staff:digitisation:project", pk=pk)
        except ValueError as exc:
            messages.error(request, _errors(exc))
    state = request.GET.get("state", "")
    if state not in State.values:
        state = ""
    plan = Paginator(selectors.plan_list(project=project, state=state), 50).get_page(request.GET.get("page"))
    ids = [i.record_id for i in plan] + [r.pk for r in found]
    elsewhere = selectors.digitised_elsewhere(record_ids=ids, project=project)
    planned = set(project.items.filter(record__in=[r.pk for r in found]).values_list("record_id", flat=True))
    rows = [{"item": i, "elsewhere": elsewhere.get(i.record_id, [])} for i in plan]
    results = [{"record": r, "elsewhere": elsewhere.get(r.pk, []), "planned": r.pk in planned} for r in found]
    return render(request, "staff/digitisation/project.html", {
        "project": project, "progress": selectors.project_progress(project=project), "plan": plan, "rows": rows,
        "q": q, "results": results, "add_form": add_form, "target_form": target_form, "state": state,
        "states": State.choices, "year": timezone.localdate().year})


@staff_only
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One planned record: its log, the steps allowed now, and the object to attach when scanning."""
    item = _item(request, pk)
    form = TransitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        obj = None
        if d["obj"]:
            obj = DigitalObject.objects.filter(pk=d["obj"], collection=item.project.collection).first()
        try:
            item_transition(actor=_user(request), item=item, to=d["to"], reason=d["reason"], obj=obj)
            messages.success(request, _("Đã chuyển sang “%(s)s”.") % {"s": State(d["to"]).label})
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        return redirect("staff:digitisation:item", pk=pk)
    candidates: list[DigitalObject] = []
    if State.SCANNED in next_states(item.state):
        candidates = list(DigitalObject.objects.filter(collection=item.project.collection)
                          .filter(plan_item__isnull=True).order_by("-pk")[:50])
        if item.obj is not None:
            candidates.insert(0, item.obj)
    log = item.transitions.select_related("actor").order_by("-at", "-pk")
    return render(request, "staff/digitisation/item.html", {
        "item": item, "next": [(s, State(s).label) for s in next_states(item.state)], "log": log,
        "candidates": candidates, "elsewhere": selectors.digitised_elsewhere(record_ids=[item.record_id],
                                                                             project=item.project)})


@staff_only
def item_qc(request: HttpRequest, pk: int) -> HttpResponse:
    """Quality control: each page's image beside its OCR text, rescan marks and automatic findings."""
    item = _item(request, pk)
    user = _user(request)
    form = RescanForm(request.POST if "mark" in request.POST else None)
    if request.method == "POST":
        try:
            if "mark" in request.POST and form.is_valid():
                d = form.cleaned_data
                page = item.obj.pages.filter(pk=d["page"]).first() if item.obj else None
                if page is None:
                    raise ValueError(_("Trang không thuộc tài liệu số này."))
                rescan_mark(actor=user, item=item, page=page, reason=d["reason"], note=d["note"])
                messages.success(request, _("Đã đánh dấu trang %(n)s cần quét lại.") % {"n": page.order})
            elif "send_back" in request.POST:
                qc_send_back(actor=user, item=item)
                messages.success(request, _("Đã trả lại để quét lại."))
                return redirect("staff:digitisation:item", pk=pk)
            elif "pass" in request.POST:
                item_transition(actor=user, item=item, to=State.OCR)
                messages.success(request, _("Đạt kiểm tra chất lượng."))
                return redirect("staff:digitisation:item", pk=pk)
            elif "checks" in request.POST:
                item_id = item.pk
                transaction.on_commit(lambda: item_checks_task.enqueue(item_id))
                messages.success(request, _("Đang kiểm tra tự động ở chế độ nền."))
        except (ValueError, ValidationError) as exc:
            messages.error(request, _errors(exc))
        if not form.errors:
            return redirect("staff:digitisation:qc", pk=pk)
    page_rows: Any = item.obj.pages.order_by("order").defer("words") if item.obj else []
    pages = Paginator(page_rows, 10).get_page(request.GET.get("page"))
    marks: dict[int, list[Any]] = {}
    for m in item.rescans.filter(resolved_at__isnull=True):
        marks.setdefault(m.page_order, []).append(m)
    findings: dict[int, list[Any]] = {}
    all_checks = list(item.checks.all())
    for c in all_checks:
        findings.setdefault(c.page_order, []).append(c)
    rows = [{"page": p, "marks": marks.get(p.order, []), "checks": findings.get(p.order, [])} for p in pages]
    return render(request, "staff/digitisation/qc.html", {
        "item": item, "pages": pages, "rows": rows, "checks": all_checks, "form": form,
        "reasons": RescanReason.choices, "open_marks": sum(len(v) for v in marks.values()),
        "in_qc": item.state == State.QC})
