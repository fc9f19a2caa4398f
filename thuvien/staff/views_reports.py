"""Staff pages for statistics: the report catalogue with charts, exports, the ad-hoc builder, visit
head counts and gate-count imports, unit year data and e-mail subscriptions. Thin: the reports app's
selectors, catalogue and services do the work; building a report reads only roll-ups and indexed
catalogue counts, so it answers within the request."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from thuvien.core.models import OrgUnit, User
from thuvien.core.permissions import Perm, has_perm, scope_q
from thuvien.reports import selectors as sel
from thuvien.reports import services
from thuvien.reports.builder import DIMENSIONS, FILTER_DIMS, builder_run, filter_choices
from thuvien.reports.catalogue import KINDS, REPORTS, Table, report_build
from thuvien.reports.exports import FORMATS, filename, report_render
from thuvien.reports.facts import (
    HCM,
    MANUAL_KINDS,
    activity_record,
    gate_counts_import,
    visit_count_set,
)
from thuvien.reports.models import ReportSubscription, UnitYearData
from thuvien.reports.periods import Period, period_parse


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return render(request, "staff/refused.html", {"reason": str(exc)}, status=403)


def _today() -> dt.date:
    return dt.datetime.now(tz=HCM).date()


def _scope(request: HttpRequest) -> tuple[OrgUnit, Period, str]:
    """Unit and period from the query string (defaults: widest unit, this year); errors as messages."""
    unit = sel.report_unit_get(user=_user(request), code=request.GET.get("unit") or None)
    text = request.GET.get("period") or str(_today().year)
    try:
        period = period_parse(text)
    except ValueError as exc:
        messages.error(request, str(exc))
        period = period_parse(str(_today().year))
    return unit, period, period.code


def _charts(tables: list[Table]) -> list[dict[str, Any]]:
    """Each table with its chart as JSON-ready data (labels and series) for chart.js."""
    out = []
    for i, t in enumerate(tables):
        chart = None
        if t.chart:
            chart = {"type": t.chart["type"], "labels": [str(x) for x in t.chart["labels"]],
                     "datasets": [{"label": str(name), "data": [float(v or 0) for v in values]}
                                  for name, values in t.chart["series"]]}
        out.append({"table": t, "chart": chart, "chart_id": f"chart-{i}", "data_id": f"chart-{i}-data",
                    "total_label": _("Tổng cộng")})
    return out


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        unit, period, code = _scope(request)
    except PermissionDenied as exc:
        return _refused(request, exc)
    return render(request, "staff/reports/home.html", {
        "reports": [(name, title) for name, (title, _b) in REPORTS.items()],
        "units": sel.report_units(user), "unit": unit, "period": code,
        "saved": sel.saved_reports_for(user), "dash": sel.dashboard(user=user),
    })


@login_required
def report_view(request: HttpRequest, name: str) -> HttpResponse:
    if name not in REPORTS:
        return render(request, "staff/refused.html", {"reason": _("Không có báo cáo này.")}, status=404)
    try:
        unit, period, code = _scope(request)
    except PermissionDenied as exc:
        return _refused(request, exc)
    report = report_build(name=name, unit=unit, period=period)
    fmt = request.GET.get("format", "")
    if fmt:
        if fmt not in FORMATS:
            messages.error(request, _("Định dạng không hỗ trợ."))
        else:
            response = HttpResponse(report_render(report, fmt), content_type=FORMATS[fmt])
            response["Content-Disposition"] = f'attachment; filename="{filename(report, fmt)}"'
            return response
    return render(request, "staff/reports/report.html", {
        "report": report, "sections": _charts(report.tables), "units": sel.report_units(_user(request)),
        "unit": unit, "period": code, "name": name, "formats": list(FORMATS),
    })


class BuilderForm(forms.Form):
    fact = forms.ChoiceField(label=gettext_lazy("Chỉ tiêu"), choices=[(k, v) for k, v in KINDS.items()])
    dim1 = forms.ChoiceField(label=gettext_lazy("Phân tổ theo"), choices=list(DIMENSIONS.items()))
    dim2 = forms.ChoiceField(label=gettext_lazy("và theo"), required=False,
                             choices=[("", "—"), *DIMENSIONS.items()])
    name = forms.CharField(label=gettext_lazy("Tên để lưu"), max_length=200, required=False)
    shared = forms.BooleanField(label=gettext_lazy("Chia sẻ trong đơn vị và cấp dưới"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dim in FILTER_DIMS:
            values = filter_choices(dim)
            if values is None:
                self.fields[f"f_{dim}"] = forms.CharField(label=DIMENSIONS[dim], required=False, max_length=60)
            else:
                self.fields[f"f_{dim}"] = forms.ChoiceField(label=DIMENSIONS[dim], required=False,
                                                            choices=[("", "—"), *values])

    def spec(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"fact": d["fact"], "dims": [x for x in (d["dim1"], d.get("dim2")) if x],
                "filters": {dim: d.get(f"f_{dim}") for dim in FILTER_DIMS if d.get(f"f_{dim}")}}


@login_required
def builder(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        unit, period, code = _scope(request)
    except PermissionDenied as exc:
        return _refused(request, exc)
    data: Any = request.POST if request.method == "POST" else (request.GET if "fact" in request.GET else None)
    saved_pk = request.GET.get("saved")
    if data is None and saved_pk and saved_pk.isdigit():
        saved = next((s for s in sel.saved_reports_for(user) if s.pk == int(saved_pk)), None)
        if saved is not None:
            spec = saved.spec
            data = {"fact": spec["fact"], "dim1": spec["dims"][0],
                    "dim2": spec["dims"][1] if len(spec["dims"]) > 1 else "",
                    **{f"f_{k}": v for k, v in spec.get("filters", {}).items()}}
    form = BuilderForm(data) if data is not None else BuilderForm()
    section = None
    if data is not None and form.is_valid():
        try:
            table = builder_run(unit=unit, period=period, spec=form.spec())
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            section = _charts([table])[0]
            if request.method == "POST" and form.cleaned_data.get("name"):
                try:
                    services.saved_report_create(actor=user, unit=unit, name=form.cleaned_data["name"],
                                                 spec=form.spec(), shared=form.cleaned_data["shared"])
                    messages.success(request, _("Đã lưu báo cáo."))
                except ValidationError as exc:
                    form.add_error(None, exc.messages)
                except PermissionDenied as exc:
                    return _refused(request, exc)
    return render(request, "staff/reports/builder.html", {
        "form": form, "section": section, "units": sel.report_units(user), "unit": unit, "period": code,
        "saved": sel.saved_reports_for(user)})


class VisitForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Đơn vị"), queryset=OrgUnit.objects.none())
    day = forms.DateField(label=gettext_lazy("Ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    count = forms.IntegerField(label=gettext_lazy("Số lượt bạn đọc đến"), min_value=0, max_value=1_000_000)


class ActivityForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Đơn vị"), queryset=OrgUnit.objects.none())
    day = forms.DateField(label=gettext_lazy("Ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=gettext_lazy("Hoạt động"), choices=[(k, KINDS[k]) for k in MANUAL_KINDS])
    number = forms.IntegerField(label=gettext_lazy("Số lượng"), min_value=1, max_value=1_000_000)


class GateForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp CSV (mã đơn vị, ngày YYYY-MM-DD, số lượt)"))


@login_required
def visits(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not sel.report_units(user):
        return _refused(request, PermissionDenied(_("Bạn không có quyền xem báo cáo.")))
    scope = OrgUnit.objects.filter(scope_q(user, Perm.REPORT_VIEW), is_active=True)
    form = VisitForm(request.POST if request.method == "POST" and "count" in request.POST else None,
                     initial={"day": _today()})
    form.fields["unit"].queryset = scope.order_by("path")  # type: ignore[attr-defined]
    activity = ActivityForm(request.POST if request.method == "POST" and "number" in request.POST else None,
                            initial={"day": _today()})
    activity.fields["unit"].queryset = scope.order_by("path")  # type: ignore[attr-defined]
    gate = GateForm(request.POST if request.method == "POST" and "gate" in request.POST else None,
                    request.FILES or None)
    if activity.is_bound and activity.is_valid():
        a = activity.cleaned_data
        try:
            activity_record(actor=user, unit=a["unit"], kind=a["kind"], day=a["day"], count=a["number"])
        except ValueError as exc:
            activity.add_error(None, str(exc))
        except PermissionDenied as exc:
            return _refused(request, exc)
        else:
            messages.success(request, _("Đã ghi %(n)s — %(what)s.") % {"n": a["number"], "what": KINDS[a["kind"]]})
            return redirect("staff:reports:visits")
    if request.method == "POST" and "count" in request.POST and form.is_valid():
        d = form.cleaned_data
        try:
            delta = visit_count_set(actor=user, unit=d["unit"], day=d["day"], count=d["count"])
        except ValueError as exc:
            form.add_error(None, str(exc))
        except PermissionDenied as exc:
            return _refused(request, exc)
        else:
            messages.success(request, _("Đã ghi %(n)s lượt cho %(unit)s ngày %(day)s (thay đổi %(d)s).") % {
                "n": d["count"], "unit": d["unit"].name, "day": f"{d['day']:%d/%m/%Y}", "d": delta})
            return redirect("staff:reports:visits")
    if gate.is_bound and gate.is_valid():
        raw = gate.cleaned_data["file"].read(5_000_000)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            gate.add_error("file", _("Tệp phải là văn bản UTF-8."))
        else:
            rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
            if rows and not rows[0][-1].strip().lstrip("-").isdigit():
                rows = rows[1:]  # a header line
            try:
                result = gate_counts_import(actor=user, rows=rows)
            except PermissionDenied as exc:
                return _refused(request, exc)
            if result["errors"]:
                for error in result["errors"][:20]:
                    gate.add_error("file", error)
            else:
                messages.success(request, _("Đã nhập %(n)s dòng đếm cổng.") % {"n": result["imported"]})
                return redirect("staff:reports:visits")
    return render(request, "staff/reports/visits.html", {"form": form, "gate": gate, "activity": activity})


class SubscriptionForm(forms.Form):
    report = forms.ChoiceField(label=gettext_lazy("Báo cáo"), choices=[(k, v[0]) for k, v in REPORTS.items()])
    unit = forms.ModelChoiceField(label=gettext_lazy("Đơn vị"), queryset=OrgUnit.objects.none())
    every = forms.ChoiceField(label=gettext_lazy("Tần suất"), choices=ReportSubscription.Every.choices)
    file_format = forms.ChoiceField(label=gettext_lazy("Định dạng"), choices=[(f, f) for f in FORMATS])
    recipients = forms.CharField(label=gettext_lazy("Địa chỉ nhận (mỗi dòng một địa chỉ)"),
                                 widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    units = sel.report_units(user)
    if not units:
        return _refused(request, PermissionDenied(_("Bạn không có quyền xem báo cáo.")))
    form = SubscriptionForm(request.POST or None)
    form.fields["unit"].queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in units])  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.subscription_create(actor=user, unit=d["unit"], report=d["report"], every=d["every"],
                                         file_format=d["file_format"], recipients=d["recipients"].splitlines())
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        except PermissionDenied as exc:
            return _refused(request, exc)
        else:
            messages.success(request, _("Đã đăng ký gửi báo cáo."))
            return redirect("staff:reports:subscriptions")
    subs = [s for s in ReportSubscription.objects.select_related("unit").order_by("pk")
            if has_perm(user, Perm.REPORT_VIEW, s.unit)]
    return render(request, "staff/reports/subscriptions.html", {"form": form, "subs": subs,
                                                                "titles": {k: v[0] for k, v in REPORTS.items()}})


@login_required
@require_POST
def subscription_delete(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_object_or_404(ReportSubscription.objects.select_related("unit"), pk=pk)
    try:
        services.subscription_delete(actor=_user(request), subscription=sub)
    except PermissionDenied as exc:
        return _refused(request, exc)
    messages.success(request, _("Đã huỷ đăng ký."))
    return redirect("staff:reports:subscriptions")



class YearDataForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Đơn vị"), queryset=OrgUnit.objects.none())
    year = forms.IntegerField(label=gettext_lazy("Năm"), min_value=2000, max_value=2100)
    population = forms.IntegerField(label=gettext_lazy("Dân số phục vụ"), min_value=0, max_value=200_000_000)
    expenditure = forms.DecimalField(label=gettext_lazy("Kinh phí (đồng)"), min_value=0, max_digits=16,
                                     decimal_places=0)
    staff = forms.DecimalField(label=gettext_lazy("Nhân lực (quy đổi toàn thời gian)"), min_value=0, max_digits=8,
                               decimal_places=1)
    seats = forms.IntegerField(label=gettext_lazy("Chỗ ngồi đọc"), min_value=0, max_value=1_000_000)
    digitisation_target = forms.IntegerField(label=gettext_lazy("Chỉ tiêu số hoá (trang)"), min_value=0,
                                             max_value=1_000_000_000)


@login_required
def year_data(request: HttpRequest) -> HttpResponse:
    """Population, expenditure, staff, seats and targets per unit and year (org.edit at the unit)."""
    user = _user(request)
    units = OrgUnit.objects.filter(scope_q(user, Perm.ORG_EDIT), is_active=True).order_by("path")
    if not units.exists():
        return _refused(request, PermissionDenied(_("Bạn không có quyền sửa số liệu của đơn vị nào.")))
    form = YearDataForm(request.POST or None, initial={"year": _today().year})
    form.fields["unit"].queryset = units  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        unit, year = d.pop("unit"), d.pop("year")
        try:
            services.unit_year_data_set(actor=user, unit=unit, year=year, data=d)
        except PermissionDenied as exc:
            return _refused(request, exc)
        messages.success(request, _("Đã lưu số liệu năm %(y)s của %(unit)s.") % {"y": year, "unit": unit.name})
        return redirect("staff:reports:year_data")
    rows = UnitYearData.objects.filter(unit__in=units).select_related("unit").order_by("-year", "unit__path")[:200]
    return render(request, "staff/reports/year_data.html", {"form": form, "rows": rows})
