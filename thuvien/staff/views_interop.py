"""Staff pages for interconnection: OAI-PMH harvest sources and runs, SRU copy cataloguing.
Thin: forms parse, protocols services and selectors do the work."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from thuvien.core.models import OrgUnit, User
from thuvien.core.params import int_param
from thuvien.core.permissions import Perm, has_perm, scope_q
from thuvien.protocols import services as sru_services
from thuvien.protocols.harvest import services
from thuvien.protocols.models import HarvestRun, HarvestSource, SRUTarget
from thuvien.protocols.remote import RemoteError
from thuvien.protocols.sru.client import RemoteResult, sru_search

PAGE = 10


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _libraries(user: User):  # type: ignore[no-untyped-def]
    """Units where the user may catalogue (targets of harvests and imports)."""
    return OrgUnit.objects.filter(is_active=True).filter(scope_q(user, Perm.CATALOG_EDIT)).order_by("path")


class SourceForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Mã"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Tên"), max_length=200)
    base_url = forms.URLField(label=gettext_lazy("Địa chỉ OAI-PMH"), max_length=500, assume_scheme="https")
    metadata_prefix = forms.ChoiceField(label=gettext_lazy("Định dạng"), choices=HarvestSource.Prefix.choices,
                                        initial=HarvestSource.Prefix.MARC21)
    set_spec = forms.CharField(label=gettext_lazy("Tập (set)"), max_length=200, required=False)
    library = forms.ModelChoiceField(label=gettext_lazy("Thư viện nhận"), queryset=OrgUnit.objects.none())
    schedule = forms.ChoiceField(label=gettext_lazy("Lịch"), choices=HarvestSource.Schedule.choices)
    match = forms.ChoiceField(label=gettext_lazy("So khớp theo"), choices=HarvestSource.Match.choices)
    on_match = forms.ChoiceField(label=gettext_lazy("Khi trùng"), choices=HarvestSource.OnMatch.choices)
    is_active = forms.BooleanField(label=gettext_lazy("Đang dùng"), required=False, initial=True)

    def __init__(self, *args, user: User, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = _libraries(user)  # type: ignore[attr-defined]


class TargetForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên"), max_length=200)
    url = forms.URLField(label=gettext_lazy("Địa chỉ SRU"), max_length=500, assume_scheme="https")
    version = forms.ChoiceField(label=gettext_lazy("Phiên bản"), choices=[("1.2", "1.2"), ("2.0", "2.0")])
    record_schema = forms.CharField(label=gettext_lazy("Lược đồ biểu ghi"), max_length=100, initial="marcxml")


def _form_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    sources = HarvestSource.objects.select_related("library").order_by("name")
    runs = HarvestRun.objects.select_related("source").order_by("-created_at")[:20]
    return render(request, "staff/interop/home.html", {
        "sources": sources, "runs": runs, "targets": SRUTarget.objects.all(),
        "can_add_target": has_perm(user, Perm.CATALOG_EDIT, None),
        "can_add_source": _libraries(user).exists(),
        "target_form": TargetForm(),
    })


@login_required
def source_add(request: HttpRequest) -> HttpResponse:
    return _source_form(request, None)


@login_required
def source_edit(request: HttpRequest, code: str) -> HttpResponse:
    return _source_form(request, get_object_or_404(HarvestSource, code=code))


def _source_form(request: HttpRequest, source: HarvestSource | None) -> HttpResponse:
    user = _user(request)
    initial = {}
    if source is not None:
        initial = {f: getattr(source, f) for f in ("code", "name", "base_url", "metadata_prefix", "set_spec",
                                                   "library", "schedule", "match", "on_match", "is_active")}
    form = SourceForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if source is None:
                source = services.harvest_source_create(actor=user, **form.cleaned_data)
                messages.success(request, _("Đã thêm nguồn thu hoạch %(name)s.") % {"name": source.name})
            else:
                source = services.harvest_source_update(actor=user, source=source, **form.cleaned_data)
                messages.success(request, _("Đã lưu nguồn thu hoạch %(name)s.") % {"name": source.name})
            return redirect("staff:interop:source", code=source.code)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(request, "staff/interop/source_form.html", {"form": form, "source": source})


@login_required
def source_detail(request: HttpRequest, code: str) -> HttpResponse:
    source = get_object_or_404(HarvestSource.objects.select_related("library"), code=code)
    runs = source.runs.order_by("-created_at")[:30]
    return render(request, "staff/interop/source_detail.html", {
        "source": source, "runs": runs,
        "can_run": has_perm(_user(request), Perm.CATALOG_EDIT, source.library),
        "harvested": source.records.count(),
    })


@login_required
@require_POST
def source_harvest(request: HttpRequest, code: str) -> HttpResponse:
    source = get_object_or_404(HarvestSource, code=code)
    try:
        run = services.harvest_start(actor=_user(request), source=source, full=request.POST.get("full") == "1")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("staff:interop:source", code=code)
    messages.success(request, _("Đã bắt đầu thu hoạch (lượt #%(n)d).") % {"n": run.pk})
    return redirect("staff:interop:run", pk=run.pk)


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(HarvestRun.objects.select_related("source__library", "started_by"), pk=pk)
    active = run.status in (HarvestRun.Status.PENDING, HarvestRun.Status.RUNNING)
    return render(request, "staff/interop/run_detail.html", {"run": run, "active": active})


@login_required
@require_POST
def target_add(request: HttpRequest) -> HttpResponse:
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            target = sru_services.sru_target_create(actor=_user(request), **form.cleaned_data)
            messages.success(request, _("Đã thêm máy chủ SRU %(name)s.") % {"name": target.name})
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, _("Thông tin máy chủ SRU chưa hợp lệ: %(e)s") % {"e": form.errors.as_text()})
    return redirect("staff:interop:home")


@login_required
@require_POST
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(SRUTarget, pk=pk)
    try:
        sru_services.sru_target_delete(actor=_user(request), target=target)
        messages.success(request, _("Đã xoá máy chủ SRU %(name)s.") % {"name": target.name})
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("staff:interop:home")


@login_required
def copy_search(request: HttpRequest) -> HttpResponse:
    """Search a remote SRU target (CQL or plain words) and list the records with a MARC preview."""
    user = _user(request)
    targets = list(SRUTarget.objects.filter(is_active=True))
    target = next((t for t in targets if str(t.pk) == request.GET.get("target")), targets[0] if targets else None)
    query = request.GET.get("q", "").strip()
    start = int(request.GET["start"]) if request.GET.get("start", "").isdigit() else 1
    result: RemoteResult | None = None
    error = ""
    if target is not None and query:
        try:
            result = sru_search(url=target.url, version=target.version, query=query, start=max(1, start),
                                maximum=PAGE, schema=target.record_schema)
        except RemoteError as exc:
            error = str(exc)
    libraries = list(_libraries(user))
    return render(request, "staff/interop/copy.html", {
        "targets": targets, "target": target, "q": query, "result": result, "error": error, "start": start,
        "libraries": libraries, "default_library": user.home_unit_id,
        "prev_start": max(1, start - PAGE) if start > 1 else None,
    })


@login_required
@require_POST
def copy_import(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    target = get_object_or_404(SRUTarget, pk=int_param(request.POST.get("target")))
    library = get_object_or_404(OrgUnit, pk=int_param(request.POST.get("library")))
    query = request.POST.get("q", "")
    position = int(request.POST.get("position", "0") or 0)
    match = request.POST.get("match", "001")
    back = f"{reverse('staff:interop:copy')}?{urlencode({'target': target.pk, 'q': query})}"
    try:
        outcome = sru_services.copy_catalogue_import(actor=user, target=target, query=query, position=position,
                                                     library=library, match=match if match in ("001", "035", "isbn")
                                                     else "001")
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(back)
    bib_id = outcome.bib.pk if outcome.bib is not None else None
    if outcome.action == "imported":
        messages.success(request, _("Đã nhập biểu ghi #%(id)s vào %(lib)s.") % {"id": bib_id, "lib": library.name})
    else:
        messages.warning(request, _("Biểu ghi đã có trong mục lục (#%(id)s): không nhập lại.") % {"id": bib_id})
    try:
        return redirect(reverse("staff:catalog:record", kwargs={"pk": bib_id}))
    except NoReverseMatch:
        return redirect(back)
