"""Staff pages of the digital library: upload a volume (ZIP, PDF or page images) for background
ingest and processing, follow its progress, set access, and correct or transcribe page text."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thuvien.core.permissions import Perm, require_perm, scope_q
from thuvien.digital.conf import digital_root
from thuvien.digital.models import Collection, DigitalObject, Page
from thuvien.digital.services import object_update, page_text_update
from thuvien.digital.tasks import upload_ingest_task
from thuvien.staff.forms_digital import AccessForm, UploadForm
from thuvien.staff.views_catalog import staff_only


def _objects(request: HttpRequest):  # type: ignore[no-untyped-def]
    return DigitalObject.objects.filter(scope_q(request.user, Perm.DIGITAL_EDIT, "unit__"))  # type: ignore[arg-type]


@staff_only
def home(request: HttpRequest) -> HttpResponse:
    collections = Collection.objects.filter(scope_q(request.user, Perm.DIGITAL_EDIT, "unit__"))  # type: ignore[arg-type]
    form = UploadForm(request.POST or None, request.FILES or None, collections=collections)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        require_perm(request.user, Perm.DIGITAL_EDIT, d["collection"].unit)  # type: ignore[arg-type]
        folder = digital_root() / "uploads" / uuid.uuid4().hex
        folder.mkdir(parents=True)
        for n, upload in enumerate(d["upload"]):
            name = Path(upload.name).name[-120:] or f"{n}.bin"
            with (folder / name).open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
        source = folder if len(d["upload"]) > 1 else folder / Path(d["upload"][0].name).name[-120:]
        args = (str(source), int(request.user.pk or 0), d["collection"].pk, d["record"].strip(), d["title"].strip(),
                d["language"].strip() or "vie", d["access"], d["ocr"])
        transaction.on_commit(lambda: upload_ingest_task.enqueue(*args))
        messages.success(request, _("Đã nhận tệp. Hệ thống đang nhập và xử lý ở chế độ nền."))
        return redirect("staff:digital:home")
    objects = Paginator(_objects(request).select_related("collection").order_by("-pk"), 20).get_page(
        request.GET.get("page"))
    return render(request, "staff/digital/home.html", {"form": form, "objects": objects})


@staff_only
def object_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(_objects(request).select_related("collection", "unit", "record"), pk=pk)
    form = AccessForm(request.POST or None, instance=obj, prefix="obj")
    if request.method == "POST" and form.is_valid():
        object_update(actor=request.user, obj=DigitalObject.objects.get(pk=obj.pk),  # type: ignore[arg-type]
                      **{k: form.cleaned_data[k] for k in form.changed_data})
        messages.success(request, _("Đã lưu."))
        return redirect("staff:digital:object", pk=obj.pk)
    pages = Paginator(obj.pages.order_by("order").defer("words"), 10).get_page(request.GET.get("page"))
    return render(request, "staff/digital/object.html", {"obj": obj, "form": form, "pages": pages,
                                                         "total": obj.pages.count()})


@staff_only
def object_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The fragment the object page polls with HTMX while the pages are processed."""
    obj = get_object_or_404(_objects(request), pk=pk)
    return render(request, "staff/digital/_progress.html", {"obj": obj, "total": obj.pages.count()})


@staff_only
@require_POST
def page_text(request: HttpRequest, pk: int) -> HttpResponse:
    page = get_object_or_404(Page.objects.select_related("obj", "obj__unit"), pk=pk)
    page_text_update(actor=request.user, page=page, text=request.POST.get("text", "")[:200_000])  # type: ignore[arg-type]
    messages.success(request, _("Đã lưu văn bản trang %(n)s.") % {"n": page.order})
    next_url = str(request.POST.get("next", ""))
    if next_url.startswith("/staff/digital/"):
        return redirect(next_url)
    return redirect("staff:digital:object", pk=page.obj_id)
