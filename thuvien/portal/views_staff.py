"""Staff pages of the portal's content: a unit's coordinates, services and opening hours, the van
timetable, news, events and their attendance, and record covers. Permission is checked by the
services at the unit that owns each object; the lists show only units the person may edit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuvien.catalog.models import BibRecord
from thuvien.core.models import OrgUnit
from thuvien.core.permissions import Perm, has_perm_somewhere, scope_q
from thuvien.portal import services
from thuvien.portal.models import (
    WEEKDAYS,
    Event,
    EventKind,
    NewsItem,
    OpeningInterval,
    RegistrationState,
    UnitProfile,
    VanStop,
)


def _units(request: HttpRequest) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(is_active=True).filter(scope_q(request.user, Perm.ORG_EDIT)).order_by("path")  # type: ignore[arg-type]


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "staff/refused.html", {"reason": reason}, status=403)


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: OrgUnit) -> str:  # type: ignore[override]
        return obj.name


def _editor(view: Any) -> Any:
    """Staff who may edit portal content somewhere; everyone else gets the refusal page."""
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not has_perm_somewhere(request.user, Perm.ORG_EDIT):  # type: ignore[arg-type]
            return _refused(request, _("Chỉ quản lý thư viện được sửa nội dung cổng thông tin."))
        try:
            return view(request, *args, **kwargs)  # type: ignore[no-any-return]
        except PermissionDenied as exc:
            return _refused(request, str(exc))
    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _form_page(request: HttpRequest, *, form: forms.Form, template: str, context: Callable[[], dict[str, Any]],
               save: Callable[[dict[str, Any]], Any], saved: str, then: Callable[[Any], HttpResponse],
               delete: Callable[[], Any] | None = None, deleted: str = "", after_delete: str = "") -> HttpResponse:
    """The shape every edit page here shares. POST action=delete deletes (when there is an object);
    a valid form is saved by `save(cleaned_data)`, a ValidationError going back onto the form, then a
    message and `then(saved object)`; otherwise the page again, 400 when the form has errors."""
    if request.method == "POST":
        if delete is not None and request.POST.get("action") == "delete":
            delete()
            messages.success(request, deleted)
            return redirect(after_delete)
        if form.is_valid():
            try:
                obj = save(dict(form.cleaned_data))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, saved)
                return then(obj)
    return render(request, template, {"form": form, **context()}, status=400 if form.errors else 200)


@_editor
def home(request: HttpRequest) -> HttpResponse:
    units = Paginator(_units(request).select_related("kind"), 100).get_page(request.GET.get("page"))
    return render(request, "portal/staff/home.html", {"units": units})


class ProfileForm(forms.Form):
    latitude = forms.DecimalField(label=gettext_lazy("Vĩ độ"), max_digits=9, decimal_places=6, required=False,
                                  min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=gettext_lazy("Kinh độ"), max_digits=9, decimal_places=6, required=False,
                                   min_value=-180, max_value=180)
    services = forms.CharField(label=gettext_lazy("Dịch vụ (mỗi dòng một dịch vụ)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 5}))


class HoursForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for d, label in WEEKDAYS:
            self.fields[f"day{d}"] = forms.CharField(label=label, required=False, max_length=200,
                                                     help_text=gettext_lazy("Ví dụ: 7:30-11:30, 13:30-17:00"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.week = {}
        for d, _label in WEEKDAYS:
            try:
                self.week[d] = services.parse_hours(data.get(f"day{d}", ""))
            except ValidationError as exc:
                self.add_error(f"day{d}", exc)
        return data


@_editor
def unit(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's map coordinates, services and weekly opening hours."""
    unit = get_object_or_404(_units(request), pk=pk)
    profile = UnitProfile.objects.filter(unit=unit).first()
    week: dict[int, list[str]] = {}
    for iv in OpeningInterval.objects.filter(unit=unit):
        week.setdefault(iv.weekday, []).append(f"{iv.opens:%H:%M}-{iv.closes:%H:%M}")
    pform = ProfileForm(initial={"latitude": profile.latitude if profile else None,
                                 "longitude": profile.longitude if profile else None,
                                 "services": profile.services if profile else ""})
    hform = HoursForm(initial={f"day{d}": ", ".join(v) for d, v in week.items()})
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "hours":
            hform = HoursForm(request.POST)
            if hform.is_valid():
                services.hours_set(actor=request.user, unit=unit, week=hform.week)  # type: ignore[arg-type]
                messages.success(request, _("Đã lưu giờ mở cửa."))
                return redirect("portal:staff_unit", pk=unit.pk)
        else:
            pform = ProfileForm(request.POST)
            if pform.is_valid():
                try:
                    services.profile_update(actor=request.user, unit=unit, latitude=pform.cleaned_data["latitude"],  # type: ignore[arg-type]
                                            longitude=pform.cleaned_data["longitude"],
                                            services=pform.cleaned_data["services"])
                except ValidationError as exc:
                    pform.add_error(None, exc)
                else:
                    messages.success(request, _("Đã lưu thông tin đơn vị."))
                    return redirect("portal:staff_unit", pk=unit.pk)
        status = 400
    return render(request, "portal/staff/unit.html", {"unit": unit, "pform": pform, "hform": hform}, status=status)


class VanStopForm(forms.Form):
    unit = UnitChoiceField(label=gettext_lazy("Xe lưu động"), queryset=OrgUnit.objects.none())
    day = forms.DateField(label=gettext_lazy("Ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label=gettext_lazy("Từ"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=gettext_lazy("Đến"), widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label=gettext_lazy("Địa điểm"), max_length=200)
    commune = forms.CharField(label=gettext_lazy("Xã, phường"), max_length=120)
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=300, required=False)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


@_editor
def van(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The van timetable of the units this person edits; a form adds or edits a stop."""
    units = _units(request).filter(kind__code="mobile_library")
    stop = get_object_or_404(VanStop.objects.filter(unit__in=units), pk=pk) if pk else None
    initial = ({k: getattr(stop, k) for k in ("unit", "day", "starts", "ends", "place", "commune", "note")}
               if stop else {"unit": units.first()})
    form = VanStopForm(request.POST or None, units=units, initial=initial)

    def context() -> dict[str, Any]:
        stops = VanStop.objects.filter(unit__in=units, day__gte=timezone.localdate()).select_related("unit")
        return {"stops": Paginator(stops, 50).get_page(request.GET.get("page")), "stop": stop}

    return _form_page(
        request, form=form, template="portal/staff/van.html", context=context,
        save=lambda d: services.van_stop_save(actor=request.user, stop=stop, **d),  # type: ignore[arg-type]
        saved=_("Đã lưu điểm dừng."), then=lambda _obj: redirect("portal:staff_van"),
        delete=(lambda: services.van_stop_delete(actor=request.user, stop=stop)) if stop else None,  # type: ignore[arg-type]
        deleted=_("Đã xoá điểm dừng."), after_delete="portal:staff_van")


class NewsForm(forms.Form):
    library = UnitChoiceField(label=gettext_lazy("Thư viện"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=gettext_lazy("Tiêu đề"), max_length=255)
    summary = forms.CharField(label=gettext_lazy("Tóm tắt"), max_length=500, required=False)
    body = forms.CharField(label=gettext_lazy("Nội dung"), required=False,
                           widget=forms.HiddenInput(attrs={"id": "body-input"}))
    image = forms.ImageField(label=gettext_lazy("Ảnh (JPEG, PNG, WebP; tối đa 5 MB)"), required=False)
    publish = forms.BooleanField(label=gettext_lazy("Đăng lên cổng thông tin"), required=False)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = units  # type: ignore[attr-defined]


@_editor
def news_list(request: HttpRequest) -> HttpResponse:
    units = _units(request)
    page = Paginator(NewsItem.objects.filter(library__in=units).select_related("library").order_by("-created_at"),
                     50).get_page(request.GET.get("page"))
    return render(request, "portal/staff/news_list.html", {"page": page})


@_editor
def news_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write or edit a news article with the rich-text editor; the HTML is sanitised by the service."""
    units = _units(request)
    item = get_object_or_404(NewsItem.objects.filter(library__in=units), pk=pk) if pk else None
    initial = ({"library": item.library, "title": item.title, "summary": item.summary, "body": item.body,
                "publish": item.is_published} if item else {"library": request.user.home_unit})  # type: ignore[union-attr]
    form = NewsForm(request.POST or None, request.FILES or None, units=units, initial=initial)
    return _form_page(
        request, form=form, template="portal/staff/news_form.html", context=lambda: {"item": item},
        save=lambda d: services.news_save(actor=request.user, item=item, **d),  # type: ignore[arg-type]
        saved=_("Đã lưu tin."), then=lambda saved: redirect("portal:staff_news_edit", pk=saved.pk),
        delete=(lambda: services.news_delete(actor=request.user, item=item)) if item else None,  # type: ignore[arg-type]
        deleted=_("Đã xoá tin."), after_delete="portal:staff_news")


class EventForm(forms.Form):
    library = UnitChoiceField(label=gettext_lazy("Thư viện"), queryset=OrgUnit.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), choices=EventKind.choices)
    title = forms.CharField(label=gettext_lazy("Tên sự kiện"), max_length=255)
    place = forms.CharField(label=gettext_lazy("Địa điểm"), max_length=255)
    starts_at = forms.DateTimeField(label=gettext_lazy("Bắt đầu"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label=gettext_lazy("Kết thúc"),
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    seats = forms.IntegerField(label=gettext_lazy("Số chỗ (để trống nếu không giới hạn)"), min_value=1,
                               max_value=100000, required=False)
    body = forms.CharField(label=gettext_lazy("Giới thiệu"), required=False,
                           widget=forms.HiddenInput(attrs={"id": "body-input"}))
    registration_open = forms.BooleanField(label=gettext_lazy("Nhận đăng ký trực tuyến"), required=False, initial=True)
    is_published = forms.BooleanField(label=gettext_lazy("Đăng lên cổng thông tin"), required=False)

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = units  # type: ignore[attr-defined]


@_editor
def event_list(request: HttpRequest) -> HttpResponse:
    units = _units(request)
    page = Paginator(Event.objects.filter(library__in=units).select_related("library").order_by("-starts_at"),
                     50).get_page(request.GET.get("page"))
    return render(request, "portal/staff/event_list.html", {"page": page})


@_editor
def event_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    units = _units(request)
    event = get_object_or_404(Event.objects.filter(library__in=units), pk=pk) if pk else None
    fields = ["library", "kind", "title", "place", "starts_at", "ends_at", "seats", "body", "registration_open",
              "is_published"]
    initial = ({k: getattr(event, k) for k in fields} if event else {"library": request.user.home_unit})  # type: ignore[union-attr]
    if event:
        initial["starts_at"] = timezone.localtime(event.starts_at)
        initial["ends_at"] = timezone.localtime(event.ends_at)
    form = EventForm(request.POST or None, units=units, initial=initial)

    def save(d: dict[str, Any]) -> Event:
        library = d.pop("library")
        return services.event_save(actor=request.user, library=library, data=d, event=event)  # type: ignore[arg-type]

    return _form_page(request, form=form, template="portal/staff/event_form.html", context=lambda: {"event": event},
                      save=save, saved=_("Đã lưu sự kiện."),
                      then=lambda saved: redirect("portal:staff_event_edit", pk=saved.pk))


@_editor
def event_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Who came (tick the registrations) and/or the head count; written to the statistics."""
    event = get_object_or_404(Event.objects.filter(library__in=_units(request)), pk=pk)
    regs = list(event.registrations.exclude(state=RegistrationState.CANCELLED))
    error = ""
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("attended") if x.isdigit()]
        raw = request.POST.get("count", "").strip()
        try:
            count = int(raw) if raw else None
            services.attendance_record(actor=request.user, event=event, count=count,  # type: ignore[arg-type]
                                       attended_ids=ids if regs else None)
        except ValueError:
            error = _("Số người tham dự không hợp lệ.")
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Đã ghi nhận số người tham dự."))
            return redirect("portal:staff_event_attendance", pk=event.pk)
    return render(request, "portal/staff/attendance.html", {"event": event, "regs": regs, "error": error},
                  status=400 if error else 200)


class CoverForm(forms.Form):
    image = forms.ImageField(label=gettext_lazy("Ảnh bìa (JPEG, PNG, WebP; tối đa 5 MB)"))


@login_required
def cover(request: HttpRequest, record_id: int) -> HttpResponse:
    """Upload or remove a record's cover (cataloguers of a library holding a copy)."""
    record = get_object_or_404(BibRecord, pk=record_id, is_deleted=False)
    form = CoverForm(request.POST or None, request.FILES or None)
    try:
        if request.method == "POST":
            if request.POST.get("action") == "fetch":
                if services.cover_fetch_request(actor=request.user, record=record):  # type: ignore[arg-type]
                    messages.success(request, _("Đã giao việc tìm ảnh bìa cho tiến trình nền."))
                else:
                    messages.error(request, _("Chưa cấu hình dịch vụ ảnh bìa (THUVIEN_COVER_SERVICE_URL)."))
                return redirect("portal:staff_cover", record_id=record.pk)
            if request.POST.get("action") == "delete":
                services.cover_delete(actor=request.user, record=record)  # type: ignore[arg-type]
                messages.success(request, _("Đã xoá ảnh bìa."))
                return redirect("portal:staff_cover", record_id=record.pk)
            if form.is_valid():
                try:
                    services.cover_upload(actor=request.user, record=record, image=form.cleaned_data["image"])  # type: ignore[arg-type]
                except ValidationError as exc:
                    form.add_error("image", exc)
                else:
                    messages.success(request, _("Đã lưu ảnh bìa."))
                    return redirect("portal:staff_cover", record_id=record.pk)
    except PermissionDenied as exc:
        return _refused(request, str(exc))
    cover = getattr(record, "cover", None) if hasattr(record, "cover") else None
    return render(request, "portal/staff/cover.html", {"record": record, "form": form, "cover": cover,
                                                       "service": bool(getattr(settings, "THUVIEN_COVER_SERVICE_URL", ""))},
                  status=400 if form.errors else 200)
