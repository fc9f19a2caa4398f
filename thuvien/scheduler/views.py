"""The staff page of the periodic table (network administrators)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from thuvien.scheduler.selectors import job_rows, run_history
from thuvien.scheduler.templatetags.scheduler_tags import may_see_schedule


@login_required
def schedule(request: HttpRequest) -> HttpResponse:
    if not may_see_schedule(request.user):
        return render(request, "staff/refused.html",
                      {"reason": _("Chỉ quản trị mạng lưới được xem lịch chạy việc định kỳ.")}, status=403)
    rows = job_rows()
    name = request.GET.get("job", "")
    if name not in {r.job.name for r in rows}:
        name = ""
    page = Paginator(run_history(name=name), 50).get_page(request.GET.get("page"))
    return render(request, "scheduler/schedule.html", {"rows": rows, "page": page, "job": name})
