"""Staff pages for personal data: the data-subject request queue, login records, the breach register
(thin: thuvien.patrons.privacy and thuvien.patrons.services do the work)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from thuvien.core.models import LoginEvent, OrgUnit
from thuvien.core.params import int_param
from thuvien.core.permissions import Perm, has_perm, scope_q
from thuvien.patrons import privacy
from thuvien.patrons import services as patron_svc
from thuvien.patrons.models import BreachReport, DataRequest, DataRequestKind, DataRequestStatus
from thuvien.staff.views_catalog import staff_only


@staff_only
def requests(request: HttpRequest) -> HttpResponse:
    """Open data-subject requests with their 2-working-day deadline; export, correct, delete, restrict."""
    if request.method == "POST":
        item = get_object_or_404(DataRequest.objects.select_related("patron__home_library"),
                                 pk=int_param(request.POST.get("request")))
        action = request.POST.get("action", "")
        note = request.POST.get("resolution", "")
        try:
            if action == "erase":
                patron_svc.patron_erase(actor=request.user, patron=item.patron)  # type: ignore[arg-type]
                item.refresh_from_db()
                if item.status == DataRequestStatus.OPEN:
                    patron_svc.datarequest_resolve(actor=request.user, request=item,  # type: ignore[arg-type]
                                                   status=DataRequestStatus.DONE, resolution=note or _("Đã xoá dữ liệu."))
            elif action == "restrict":
                privacy.patron_restrict(actor=request.user, patron=item.patron, note=note)  # type: ignore[arg-type]
                patron_svc.datarequest_resolve(actor=request.user, request=item,  # type: ignore[arg-type]
                                               status=DataRequestStatus.DONE,
                                               resolution=note or _("Đã hạn chế xử lý (tạm khoá thẻ)."))
            elif action in (DataRequestStatus.DONE, DataRequestStatus.REFUSED):
                patron_svc.datarequest_resolve(actor=request.user, request=item, status=action,  # type: ignore[arg-type]
                                               resolution=note)
            else:
                raise ValidationError(_("Thao tác không hợp lệ."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã cập nhật yêu cầu."))
        return redirect("staff:privacy:requests")
    rows = privacy.datarequest_queue(staff=request.user, include_closed=request.GET.get("all") == "1")  # type: ignore[arg-type]
    return render(request, "staff/privacy/requests.html", {"rows": rows, "kinds": DataRequestKind,
                                                           "show_all": request.GET.get("all") == "1"})


@staff_only
def logins(request: HttpRequest) -> HttpResponse:
    """Logins, failures, lockouts, logouts and timeouts of accounts in the manager's subtree (network
    administrators also see failures for unknown names)."""
    user: Any = request.user
    if not any(has_perm(user, Perm.AUDIT_VIEW, g.unit) for g in user.grants.select_related("unit")) \
            and not user.is_superuser:
        return render(request, "staff/refused.html", {"reason": _("Chỉ người quản lý được xem nhật ký đăng nhập.")},
                      status=403)
    scoped = scope_q(user, Perm.AUDIT_VIEW, "user__home_unit__")  # type: ignore[arg-type]
    readers = scope_q(user, Perm.AUDIT_VIEW, "user__patron__home_library__")  # type: ignore[arg-type]
    qs = LoginEvent.objects.select_related("user")
    if not has_perm(user, Perm.AUDIT_VIEW, None):  # type: ignore[arg-type]
        qs = qs.filter(Q(scoped) | Q(readers))
    kind = request.GET.get("kind", "")
    if kind in LoginEvent.Kind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "staff/privacy/logins.html", {"page": page, "kind": kind, "kinds": LoginEvent.Kind.choices})


@staff_only
def breaches(request: HttpRequest) -> HttpResponse:
    """The breach register with each report's 72-hour notification clock."""
    user = request.user
    units = OrgUnit.objects.filter(scope_q(user, Perm.AUDIT_VIEW), is_active=True)  # type: ignore[arg-type]
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "notified":
                report = get_object_or_404(BreachReport, pk=int_param(request.POST.get("report")))
                privacy.breach_notified(actor=user, report=report)  # type: ignore[arg-type]
            else:
                unit = get_object_or_404(units, pk=int_param(request.POST.get("unit")))
                try:
                    found = dt.datetime.fromisoformat(request.POST.get("discovered_at", ""))
                    people = int(request.POST.get("people_affected") or 0)
                except ValueError as exc:
                    raise ValidationError(_("Thời điểm hoặc số người không hợp lệ.")) from exc
                if timezone.is_naive(found):
                    found = timezone.make_aware(found)
                privacy.breach_record(actor=user, unit=unit, discovered_at=found,  # type: ignore[arg-type]
                                      description=request.POST.get("description", ""),
                                      data_affected=request.POST.get("data_affected", ""),
                                      people_affected=max(0, min(people, 10**9)),
                                      measures=request.POST.get("measures", ""))
        except ValidationError as exc:
            errors.extend(exc.messages)
        else:
            return redirect("staff:privacy:breaches")
    now = timezone.now()
    reports = [(r, privacy.breach_deadline(r), r.notified_at is None and privacy.breach_deadline(r) < now)
               for r in BreachReport.objects.filter(unit__in=units).select_related("unit")[:200]]
    return render(request, "staff/privacy/breaches.html", {"reports": reports, "units": units, "errors": errors})
