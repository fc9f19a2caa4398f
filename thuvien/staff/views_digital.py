"""Staff pages of the digital library: upload a volume (ZIP, PDF or page images) for background
ingest and processing, follow its progress, set access, and correct or transcribe page text."""

from __future__ import annotations

import shutil
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
from thuvien.digital.ingest import IngestError
from thuvien.digital.models import Collection, DigitalObject, FixityCheck, Page
from thuvien.digital.preservation import object_repair
from thuvien.digital.selectors import storage_by_collection
from thuvien.digital.services import object_update, page_replace, page_text_update, pages_reorder
from thuvien.digital.storage import UNCOMPRESSED_A4_300PPI_PAGE, rule_of_thumb_book
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
    return render(request, "staff/digital/object.html", {
        "obj": obj, "form": form, "pages": pages, "total": obj.pages.count(),
        "order": list(obj.pages.order_by("order").values("pk", "order", "uuid", "processed", "source_name")),
        "checks": obj.fixity_checks.all()[:5]})


@staff_only
@require_POST
def object_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    """Save a new page order (drag-and-drop or the up/down buttons): `pages` = page ids in order.
    Answers 204 for fetch/HTMX, or redirects a plain form post back to the object."""
    obj = get_object_or_404(_objects(request), pk=pk)
    message = ""
    try:
        ids = [int(x) for x in request.POST.getlist("pages")]
    except ValueError:
        message = _("Danh sách trang không khớp với tài liệu.")
    else:
        try:
            pages_reorder(actor=request.user, obj=obj, page_ids=ids)  # type: ignore[arg-type]
        except ValueError as exc:
            message = str(exc)
    if message:
        if request.headers.get("X-Requested-With") == "fetch":
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        messages.error(request, message)
        return redirect("staff:digital:object", pk=obj.pk)
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    messages.success(request, _("Đã lưu thứ tự trang."))
    return redirect("staff:digital:object", pk=obj.pk)


@staff_only
@require_POST
def object_repair_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Put back damaged master files of the preservation copy from the working copy; check again."""
    obj = get_object_or_404(_objects(request).select_related("unit"), pk=pk)
    outcome = object_repair(actor=request.user, obj=obj)  # type: ignore[arg-type]
    if outcome.check.result == FixityCheck.Result.REPAIRED:
        messages.success(request, _("Đã khôi phục bản lưu trữ; kiểm tra toàn vẹn đạt."))
    else:
        messages.error(request, _("Chưa khôi phục được: cần bản sao lưu của các tệp còn hỏng (thuvien fixity_check "
                                  "--object %(id)s để xem chi tiết).") % {"id": obj.pk})
    return redirect("staff:digital:object", pk=obj.pk)


@staff_only
@require_POST
def page_replace_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A rescanned page replaces one page (a new OCFL version; tiles and OCR are made again)."""
    page = get_object_or_404(Page.objects.select_related("obj", "obj__unit").filter(
        obj__in=_objects(request)), pk=pk)
    upload = request.FILES.get("scan")
    if upload is None:
        messages.error(request, _("Chọn tệp ảnh trang quét lại."))
        return redirect("staff:digital:object", pk=page.obj_id)
    folder = digital_root() / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    source = folder / (Path(upload.name or "scan.bin").name[-120:] or "scan.bin")
    try:
        with source.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        page_replace(actor=request.user, page=page, source=source)  # type: ignore[arg-type]
    except IngestError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã thay trang %(n)s; trang đang được xử lý lại.") % {"n": page.order})
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return redirect("staff:digital:object", pk=page.obj_id)


@staff_only
def storage(request: HttpRequest) -> HttpResponse:
    """Bytes per collection (masters, derivatives, backups), growth per month, projection to the target."""
    collections = Collection.objects.filter(scope_q(request.user, Perm.DIGITAL_EDIT, "unit__"))  # type: ignore[arg-type]
    rows = storage_by_collection(collections=collections)
    objects = _objects(request)
    return render(request, "staff/digital/storage.html", {
        "rows": rows, "book": rule_of_thumb_book(), "page_bytes": UNCOMPRESSED_A4_300PPI_PAGE,
        "damaged": objects.filter(damaged=True).select_related("collection").order_by("pk")[:50],
        "unpreserved": objects.filter(ocfl_version=0).count(),
        "never_checked": objects.filter(ocfl_version__gt=0, fixity_checked_at__isnull=True).count(),
        "preserved": objects.filter(ocfl_version__gt=0).count()})


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
