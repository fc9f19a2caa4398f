"""Public portal pages: the library directory, the van timetable, news, events with registration,
new acquisitions, readers' saved lists and the session's search history. Thin: selectors read,
services write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from thuvien.catalog.models import BibRecord
from thuvien.core.models import OrgUnit
from thuvien.portal import selectors as sel
from thuvien.portal import services
from thuvien.portal.exports import LIST_FORMATS, list_export
from thuvien.portal.history import clear_history, search_history
from thuvien.portal.models import Event, Registration, RegistrationState, SavedList
from thuvien.search.ddc import CLASSES

LOGIN_URL = reverse_lazy("opac:account_login")
PAGE = 20
DAYS = (30, 90)


def _library(request: HttpRequest) -> OrgUnit | None:
    code = request.GET.get("library", "")[:32]
    return OrgUnit.objects.filter(code=code, is_active=True).first() if code else None


def _libraries() -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(is_active=True).only("id", "code", "name", "depth", "path").order_by("path"))


# --- directory and van -----------------------------------------------------------------------------

@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Every unit with contacts, hours, open-now badge, services and a map link."""
    library = _library(request)
    rows = Paginator(sel.flatten(sel.directory(root=library)), 60).get_page(request.GET.get("page"))
    return render(request, "portal/directory.html", {
        "rows": rows, "now": sel.local_now(), "library": library,
        "libraries": [u for u in _libraries() if u.depth <= 1],
        "page_params": f"library={library.code}" if library else ""})


@require_GET
def van(request: HttpRequest) -> HttpResponse:
    """The mobile van timetable and "next visit near me" (commune and place chosen from a list)."""
    commune = request.GET.get("commune", "")[:120]
    place = request.GET.get("place", "")[:200]
    places = sel.van_places()
    communes = [c for c, _p in places]
    if commune not in communes:
        commune, place = "", ""
    next_stop = sel.van_next_visit(commune=commune, place=place) if commune else None
    stops = Paginator(sel.van_stops_upcoming(), 50).get_page(request.GET.get("page"))
    return render(request, "portal/van.html", {"stops": stops, "places": places, "commune": commune, "place": place,
                                               "next_stop": next_stop, "searched": bool(commune)})


# --- news ------------------------------------------------------------------------------------------

@require_GET
def news(request: HttpRequest) -> HttpResponse:
    library = _library(request)
    page = Paginator(sel.news_published(library=library), PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/news.html", {"page": page, "library": library, "libraries": _libraries()})


@require_GET
def news_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(sel.news_published(), pk=pk)
    return render(request, "portal/news_detail.html", {"item": item})


# --- events ----------------------------------------------------------------------------------------

class RegistrationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Họ tên"), max_length=200, required=False)
    phone = forms.CharField(label=gettext_lazy("Điện thoại"), max_length=30, required=False)
    consent = forms.BooleanField(label=services.CONSENT_WORDING, required=False)


def _month(request: HttpRequest) -> tuple[int, int]:
    now = sel.local_now()
    try:
        y, m = (int(x) for x in request.GET.get("month", "").split("-"))
        if 2000 <= y <= 2100 and 1 <= m <= 12:
            return y, m
    except ValueError:
        pass
    return now.year, now.month


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    """Upcoming events as a list and the month's calendar."""
    library = _library(request)
    year, month = _month(request)
    prev = dt.date(year, month, 1) - dt.timedelta(days=1)
    nxt = dt.date(year, month, 28) + dt.timedelta(days=5)
    page = Paginator(sel.events_upcoming(library=library), PAGE).get_page(request.GET.get("page"))
    keep = f"&library={library.code}" if library else ""
    return render(request, "portal/events.html", {
        "page": page, "library": library, "libraries": _libraries(),
        "weeks": sel.event_month(year=year, month=month, library=library), "month": dt.date(year, month, 1),
        "prev_url": f"?month={prev:%Y-%m}{keep}", "next_url": f"?month={nxt:%Y-%m}{keep}",
        "weekdays": [_("T2"), _("T3"), _("T4"), _("T5"), _("T6"), _("T7"), _("CN")],
    })


def _event_render(request: HttpRequest, event: Event, form: RegistrationForm | None = None,
                  status: int = 200) -> HttpResponse:
    taken = services.event_taken(event)
    mine = (Registration.objects.filter(event=event, user=request.user, state=RegistrationState.REGISTERED).first()
            if request.user.is_authenticated else None)
    return render(request, "portal/event_detail.html", {
        "event": event, "taken": taken, "left": None if event.seats is None else max(0, event.seats - taken),
        "form": form or RegistrationForm(), "mine": mine, "past": event.ends_at < timezone.now(),
    }, status=status)


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An event with its seats left and the registration form (POST registers)."""
    event = get_object_or_404(Event.objects.select_related("library"), pk=pk, is_published=True)
    if request.method != "POST":
        return _event_render(request, event)
    form = RegistrationForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        reg = services.registration_create(event=event, user=request.user,  # type: ignore[arg-type]
                                           name=data.get("name", ""), phone=data.get("phone", ""),
                                           consent=bool(data.get("consent")))
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _event_render(request, event, form, status=400)
    if reg.user_id is None:  # a visitor keeps the cancellation link
        return redirect("portal:registration", token=reg.token)
    messages.success(request, _("Đã đăng ký tham dự."))
    return redirect("portal:event_detail", pk=event.pk)


def registration(request: HttpRequest, token: str) -> HttpResponse:
    """A registration by its private link: shows it, and cancels it on POST."""
    reg = get_object_or_404(Registration.objects.select_related("event", "event__library"), token=token[:64])
    if request.method == "POST":
        try:
            services.registration_cancel(registration=reg, token=token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã huỷ đăng ký."))
        return redirect("portal:registration", token=token)
    return render(request, "portal/registration.html", {"reg": reg})


@require_POST
@login_required(login_url=LOGIN_URL)
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    reg = get_object_or_404(Registration, pk=pk, user=request.user)
    try:
        services.registration_cancel(registration=reg, user=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Đã huỷ đăng ký."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("portal:event_detail", pk=reg.event_id)


# --- new acquisitions ------------------------------------------------------------------------------

@require_GET
def acquisitions(request: HttpRequest) -> HttpResponse:
    """Records with copies added in the last 30 or 90 days, per library and DDC class."""
    library = _library(request)
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    days = days if days in DAYS else 30
    ddc = request.GET.get("ddc", "")
    ddc = ddc if len(ddc) == 1 and ddc.isdigit() else ""
    page = Paginator(sel.acquisitions(days=days, library=library, ddc_class=ddc), PAGE).get_page(request.GET.get("page"))
    params = "&".join(p for p in [f"library={library.code}" if library else "", f"ddc={ddc}" if ddc else ""] if p)
    return render(request, "portal/acquisitions.html", {
        "page": page, "library": library, "libraries": _libraries(), "days": days, "day_choices": DAYS, "ddc": ddc,
        "classes": [(code[0], label) for code, label in CLASSES.items()], "feed_params": params,
        "page_params": "&".join(p for p in [params, f"days={days}"] if p),
    })


# --- saved lists and history -----------------------------------------------------------------------

class ListForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Tên danh sách"), max_length=120)
    is_shared = forms.BooleanField(label=gettext_lazy("Chia sẻ bằng đường dẫn"), required=False)


def _own_list(request: HttpRequest, uuid: str) -> SavedList:
    try:
        return get_object_or_404(SavedList, uuid=uuid, owner=request.user)
    except ValidationError as exc:
        raise Http404 from exc


@login_required(login_url=LOGIN_URL)
def lists(request: HttpRequest) -> HttpResponse:
    """The reader's lists (POST creates one) and the session's search history."""
    form = ListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.list_create(actor=request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            return redirect("portal:list_detail", uuid=saved.uuid)
    return render(request, "portal/lists.html", {"lists": sel.lists_of(user=request.user), "form": form,  # type: ignore[arg-type]
                                                 "history": search_history(request.session)},
                  status=400 if form.errors else 200)


@login_required(login_url=LOGIN_URL)
def list_detail(request: HttpRequest, uuid: str) -> HttpResponse:
    saved = _own_list(request, uuid)
    form = ListForm(initial={"name": saved.name, "is_shared": saved.is_shared})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "delete":
            services.list_delete(actor=request.user, saved=saved)  # type: ignore[arg-type]
            messages.success(request, _("Đã xoá danh sách."))
            return redirect("portal:lists")
        if action == "remove":
            try:
                rid = int(request.POST.get("record", ""))
            except ValueError:
                rid = 0
            services.list_remove(actor=request.user, saved=saved, record_id=rid)  # type: ignore[arg-type]
            return redirect("portal:list_detail", uuid=saved.uuid)
        form = ListForm(request.POST)
        if form.is_valid():
            services.list_update(actor=request.user, saved=saved, name=form.cleaned_data["name"],  # type: ignore[arg-type]
                                 is_shared=form.cleaned_data["is_shared"])
            messages.success(request, _("Đã lưu danh sách."))
            return redirect("portal:list_detail", uuid=saved.uuid)
    share_url = request.build_absolute_uri(reverse("portal:list_shared", args=[saved.share_token])) if saved.is_shared else ""
    return render(request, "portal/list_detail.html", {
        "saved": saved, "records": sel.list_records(saved=saved), "form": form, "share_url": share_url,
        "formats": list(LIST_FORMATS), "own": True}, status=400 if form.errors else 200)


@login_required(login_url=LOGIN_URL)
def list_add(request: HttpRequest, record_id: int) -> HttpResponse:
    """Choose a list (or name a new one) for a record; POST adds it."""
    record = get_object_or_404(BibRecord, pk=record_id, is_deleted=False)
    lists_ = list(sel.lists_of(user=request.user))  # type: ignore[arg-type]
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("list"):
                saved = get_object_or_404(SavedList, pk=request.POST.get("list") or 0, owner=request.user)
            else:
                saved = services.list_create(actor=request.user, name=request.POST.get("name", "")  # type: ignore[arg-type]
                                             or _("Danh sách của tôi"))
            added = services.list_add(actor=request.user, saved=saved, record=record)  # type: ignore[arg-type]
        except (ValidationError, ValueError) as exc:
            error = " ".join(getattr(exc, "messages", [str(exc)]))
        else:
            messages.success(request, _("Đã thêm vào “%(n)s”.") % {"n": saved.name} if added
                             else _("Biểu ghi đã có trong “%(n)s”.") % {"n": saved.name})
            return redirect("opac:record", pk=record.pk)
    return render(request, "portal/list_add.html", {"record": record, "lists": lists_, "error": error},
                  status=400 if error else 200)


def _export(saved: SavedList, fmt: str) -> HttpResponse:
    try:
        body, content_type, ext = list_export(sel.list_records(saved=saved), fmt)
    except KeyError as exc:
        raise Http404(_("Không hỗ trợ định dạng này.")) from exc
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="list-{saved.pk}.{ext}"'
    return response


@require_GET
@login_required(login_url=LOGIN_URL)
def list_export_view(request: HttpRequest, uuid: str, fmt: str) -> HttpResponse:
    return _export(_own_list(request, uuid), fmt)


@require_GET
def list_shared(request: HttpRequest, token: str) -> HttpResponse:
    """A list someone shared: readable by whoever has the link, nothing else."""
    saved = sel.list_shared(token=token)
    if saved is None:
        raise Http404(_("Không có danh sách này."))
    return render(request, "portal/list_detail.html", {"saved": saved, "records": sel.list_records(saved=saved),
                                                       "formats": list(LIST_FORMATS), "own": False})


@require_GET
def list_shared_export(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    saved = sel.list_shared(token=token)
    if saved is None:
        raise Http404(_("Không có danh sách này."))
    return _export(saved, fmt)


def history(request: HttpRequest) -> HttpResponse:
    """The searches of this session (POST clears them)."""
    if request.method == "POST":
        clear_history(request.session)
        messages.success(request, _("Đã xoá lịch sử tra cứu."))
        return redirect("portal:history")
    return render(request, "portal/history.html", {"history": search_history(request.session),
                                                   "has_session": request.session.session_key is not None})


def refuse(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return render(request, "staff/refused.html", {"reason": str(exc)}, status=403)


def account_context(request: HttpRequest) -> dict[str, Any]:
    """What the account's "lists and events" tab shows (included by opac/account/account.html)."""
    return {"portal_lists": sel.lists_of(user=request.user),  # type: ignore[arg-type]
            "portal_registrations": sel.registrations_for_user(user=request.user)[:50],  # type: ignore[arg-type]
            "portal_history": search_history(request.session)}
