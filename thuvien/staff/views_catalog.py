"""Staff cataloguing pages: search, record view and downloads, MARC editor, quick cataloguing,
items, imports with live progress, quarantine, authorities. Thin: services and selectors work."""

from __future__ import annotations

import csv
import io
import uuid
from functools import wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thuvien.catalog import selectors, services
from thuvien.catalog.extract import extract
from thuvien.catalog.marc import lint
from thuvien.catalog.marc.editor import record_from_rows, rows_from_record
from thuvien.catalog.marc.isbn import isbn_normalize
from thuvien.catalog.marc_dictionary import editor_dictionary, field_name
from thuvien.catalog.merge import bib_merge
from thuvien.catalog.models import (
    AuthorityRecord,
    BibRecord,
    ChangeRequest,
    ImportJob,
    Item,
    QuarantinedRecord,
)
from thuvien.catalog.quick import QuickRecord, build_record
from thuvien.catalog.tasks import import_job_task
from thuvien.circulation.states import catalogue_status_choices
from thuvien.core.models import OrgUnit
from thuvien.core.params import int_param
from thuvien.core.permissions import Perm, has_perm, is_staff_member, scope_q
from thuvien.opac import downloads
from thuvien.search.selectors import record_search, records_in_order
from thuvien.search.syntax import QuerySyntaxError, parse_user_query
from thuvien.staff.forms_catalog import (
    ENCODING_LABELS,
    FORMAT_LABELS,
    MATCH_LABELS,
    ON_MATCH_LABELS,
    ImportForm,
    ItemForm,
    QuickForm,
    ReimportForm,
)


def staff_only(view):  # type: ignore[no-untyped-def]
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff_member(request.user):  # type: ignore[arg-type]
            return _refused(request, PermissionDenied(_("Chỉ cán bộ thư viện được vào trang này.")))
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return _refused(request, exc)
    return wrapper


def _refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return render(request, "staff/refused.html", {"reason": str(exc)}, status=403)


def _catalogue_units(user: Any) -> Any:
    """Units holding items where the user may catalogue (for item and import forms)."""
    return (OrgUnit.objects.filter(scope_q(user, Perm.CATALOG_EDIT), is_active=True, kind__holds_items=True)
            .order_by("path"))


class _SearchHits:
    """One page of search-engine hits shaped for Django's Paginator (which only slices this page)."""

    def __init__(self, total: int, records: list[BibRecord]) -> None:
        self.total, self.records = total, records

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, _slice: slice) -> list[BibRecord]:
        return self.records


PAGE_SIZE = 25


def _catalogue_page(q: str, page_number: str | None) -> tuple[Page, str]:
    """Identifiers (ISBN, 001, #id) go to the database; words go to the search engine, so staff
    find records with or without diacritics exactly as readers do."""
    q = q.strip()
    if not q or isbn_normalize(q) or q.isdigit() or q.startswith("#"):
        return Paginator(selectors.bib_list(q=q), PAGE_SIZE).get_page(page_number), ""
    try:
        node = parse_user_query(q)
    except QuerySyntaxError as exc:
        return Paginator([], PAGE_SIZE).get_page(1), str(exc)
    try:
        number = max(1, int(page_number or 1))
    except ValueError:
        number = 1
    result = record_search(query=node, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    if result.total and (number - 1) * PAGE_SIZE >= result.total:
        number = (result.total - 1) // PAGE_SIZE + 1
        result = record_search(query=node, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    hits = _SearchHits(result.total, records_in_order([h.record_id for h in result.hits]))
    return Paginator(hits, PAGE_SIZE).get_page(number), ""  # type: ignore[arg-type]


@staff_only
def home(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    page, error = _catalogue_page(q, request.GET.get("page"))
    return render(request, "staff/catalog/home.html", {
        "q": q, "page": page, "error": error,
        "open_quarantine": selectors.quarantine_list(user=request.user).count(),
        "jobs": selectors.import_job_list(user=request.user)[:5],
    })


@staff_only
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bib = get_object_or_404(BibRecord.objects.select_related("owner"), pk=pk)
    if request.method == "POST":  # a change request to the owning library
        try:
            services.change_request_create(actor=request.user, bib=bib,  # type: ignore[arg-type]
                                           message=request.POST.get("message", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã gửi đề nghị sửa cho %(unit)s.") % {"unit": bib.owner.name})  # type: ignore[union-attr]
        return redirect("staff:catalog:record", pk=bib.pk)
    record = selectors.bib_to_pymarc(bib)
    items = selectors.items_for_record(bib=bib)
    return render(request, "staff/catalog/record.html", {
        "bib": bib, "rows": rows_from_record(record), "lint": lint(record),
        "holdings": selectors.holdings_summary(bib=bib), "items": items,
        "editable_items": {i.pk for i in items if has_perm(request.user, Perm.CATALOG_EDIT, i.library)},  # type: ignore[arg-type]
        "can_add_items": _catalogue_units(request.user).exists(),
        "can_edit": services.may_edit_record(request.user, bib.owner),  # type: ignore[arg-type]
        "duplicates": selectors.bib_duplicates(isbns=bib.isbns, title=bib.title, main_author=bib.main_author,
                                               year=bib.year, exclude_pk=bib.pk),
    })


@staff_only
def record_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge a duplicate into this record: compare the two side by side, then confirm."""
    survivor = get_object_or_404(BibRecord.objects.select_related("owner"), pk=pk, is_deleted=False)
    services.require_cataloguer(request.user)  # type: ignore[arg-type]
    raw = (request.POST.get("other") or request.GET.get("other") or "").strip().lstrip("#")
    other = None
    error = ""
    if raw:
        other = BibRecord.objects.select_related("owner").filter(
            pk=int(raw) if raw.isdigit() and len(raw) < 12 else -1, is_deleted=False).exclude(pk=pk).first()
        if other is None:
            error = _("Không có biểu ghi số %(n)s (hoặc đã bị xoá).") % {"n": raw}
    if request.method == "POST" and other is not None and request.POST.get("confirm") == "1":
        try:
            moved = bib_merge(actor=request.user, survivor=survivor, duplicate=other)  # type: ignore[arg-type]
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Đã gộp biểu ghi #%(d)s vào biểu ghi này: chuyển %(items)s bản tài liệu, "
                                        "%(holds)s yêu cầu đặt mượn.") % {
                "d": other.pk, "items": moved.get("catalog.Item", 0), "holds": moved.get("circulation.Hold", 0)})
            return redirect("staff:catalog:record", pk=survivor.pk)
    sides = [(bib, bib.items.count(), bib.holds.count()) for bib in ([survivor, other] if other else [survivor])]
    return render(request, "staff/catalog/merge.html", {"bib": survivor, "other": other, "sides": sides,
                                                         "error": error, "raw": raw},
                  status=400 if error else 200)


@staff_only
def change_requests(request: HttpRequest) -> HttpResponse:
    """Change requests addressed to the libraries where the user catalogues, and those they sent."""
    if request.method == "POST":
        item = get_object_or_404(ChangeRequest, pk=int_param(request.POST.get("request")))
        try:
            services.change_request_resolve(actor=request.user, request=item,  # type: ignore[arg-type]
                                            status=request.POST.get("status", ""), answer=request.POST.get("answer", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("staff:catalog:change_requests")
    incoming = ChangeRequest.objects.filter(scope_q(request.user, Perm.CATALOG_EDIT, "owner__")).select_related(  # type: ignore[arg-type]
        "record", "owner", "requester_unit", "requested_by")
    sent = ChangeRequest.objects.filter(requested_by=request.user).select_related("record", "owner")  # type: ignore[misc]
    return render(request, "staff/catalog/change_requests.html", {"incoming": incoming[:200], "sent": sent[:100]})



record_download = staff_only(downloads.record_download)  # the one download view, behind the staff login


MAX_ADD_FIELDS = 50  # empty rows one click of the editor's "add" may ask for


def _editor_rows(request: HttpRequest) -> list[dict[str, str]]:
    post = request.POST
    rows = [{"tag": t, "ind1": i1, "ind2": i2, "value": v, "order": o, "delete": d}
            for t, i1, i2, v, o, d in zip(post.getlist("tag"), post.getlist("ind1"), post.getlist("ind2"),
                                          post.getlist("value"), post.getlist("order"),
                                          post.getlist("delete"), strict=False)]

    def key(item: tuple[int, dict[str, str]]) -> tuple[float, int]:
        n, row = item
        try:
            return float(row["order"]), n
        except ValueError:
            return float(n + 1), n
    kept = [row for _n, row in sorted(enumerate(rows), key=key) if row["delete"] != "1"]
    kept.extend({"tag": "", "ind1": " ", "ind2": " ", "value": ""} for _ in range(min(int_param(post.get("add")) or 0, MAX_ADD_FIELDS)))
    return kept


def _editor_words() -> dict[str, str]:
    return {"up": _("Chuyển lên"), "down": _("Chuyển xuống"), "remove": _("Xoá trường"),
            "addsf": _("Thêm trường con"), "unknown": _("Trường không có trong từ điển MARC 21"),
            "i1": _("CT1"), "i2": _("CT2"), "blank": _("để trống"), "sfup": _("Chuyển trường con lên"),
            "sfdown": _("Chuyển trường con xuống"), "sfremove": _("Xoá trường con")}


@staff_only
def record_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The MARC editor, for a new record (pk None) or an existing one. With HTMX, "save" answers with the
    status fragment only, so the cataloguer stays on the page (no reload)."""
    bib = get_object_or_404(BibRecord, pk=pk, is_deleted=False) if pk else None
    services.require_cataloguer(request.user)  # type: ignore[arg-type]
    messages_lint: list[str] = []
    errors: list[str] = []
    owners = _catalogue_units(request.user)
    if bib is not None and not services.may_edit_record(request.user, bib.owner):  # type: ignore[arg-type]
        errors.append(_("Biểu ghi này thuộc %(unit)s: chỉ cán bộ biên mục của đơn vị đó được sửa; "
                        "hãy gửi đề nghị sửa cho đơn vị sở hữu.")
                      % {"unit": bib.owner.name if bib.owner else _("toàn mạng lưới")})
    partial = request.headers.get("HX-Request") == "true"
    if request.method == "POST" and not errors:
        leader = request.POST.get("leader", "")
        rows = _editor_rows(request)
        record, errors = record_from_rows(leader, rows)
        messages_lint = lint(record)
        wants_save = request.POST.get("action") == "save"
        if wants_save and not errors and (not messages_lint or request.POST.get("accept_warnings") == "1"):
            try:
                if bib is None:
                    owner = get_object_or_404(owners, pk=int_param(request.POST.get("owner")))
                    bib = services.bib_create(actor=request.user, record=record, owner=owner)  # type: ignore[arg-type]
                else:
                    bib = services.bib_update(actor=request.user, bib=bib, record=record)  # type: ignore[arg-type]
            except ValidationError as exc:
                errors.extend(exc.messages)
            except PermissionDenied as exc:
                errors.append(str(exc))
            else:
                if partial and pk is not None:
                    return render(request, "staff/catalog/_editor_status.html", {
                        "bib": bib, "saved": timezone.localtime().strftime("%H:%M:%S")})
                messages.success(request, _("Đã lưu biểu ghi."))
                return redirect("staff:catalog:record", pk=bib.pk)
        if partial:
            return render(request, "staff/catalog/_editor_status.html",
                          {"bib": bib, "errors": errors, "lint": messages_lint})
    else:
        record = selectors.bib_to_pymarc(bib) if bib else build_record(QuickRecord(title=""))
        rows = rows_from_record(record)
        leader = str(record.leader)
    lang = get_language() or "vi"
    rows = [{**r, "order": str(n + 1), "name": field_name(r["tag"], lang[:2])} for n, r in enumerate(rows)]
    return render(request, "staff/catalog/editor.html", {
        "bib": bib, "leader": leader.replace(" ", "\\"), "rows": rows, "errors": errors, "lint": messages_lint,
        "owners": owners, "blank_row": {"tag": "", "ind1": "", "ind2": "", "value": "", "order": "", "name": ""},
        "dictionary": editor_dictionary(lang[:2]), "words": _editor_words(),
    })


@staff_only
def quick(request: HttpRequest) -> HttpResponse:
    """Vietnamese quick-cataloguing form: a valid MARC21 record and its items in one step."""
    services.require_cataloguer(request.user)  # type: ignore[arg-type]
    units = _catalogue_units(request.user)
    form = QuickForm(request.POST or None, libraries=units,
                     initial={"library": request.user.home_unit_id, "item_type": "book"})  # type: ignore[union-attr]
    duplicates: list[BibRecord] = []
    lint_messages: list[str] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        owner = d.get("library") or request.user.home_unit  # type: ignore[union-attr]
        record = build_record(QuickRecord(
            title=d["title"], subtitle=d["subtitle"], authors=d["authors_list"], responsibility=d["responsibility"],
            publisher=d["publisher"], place=d["place"], year=d["year"], edition=d["edition"], pages=d["pages"],
            size=d["size"], ddc=d["ddc"], subjects=d["subjects_list"], language=d["language"], isbn=d["isbn"],
            price=d["price"], series=d["series"], summary=d["summary"], cataloguing_agency=owner.code if owner else ""))
        values = extract(record)
        lint_messages = lint(record)
        duplicates = selectors.bib_duplicates(isbns=values["isbns"], title=values["title"],
                                              main_author=values["main_author"], year=values["year"])
        if owner is None:
            form.add_error("library", _("Chọn đơn vị biên mục."))
        elif not duplicates or d["confirm_duplicate"]:
            try:
                with transaction.atomic():
                    bib = services.bib_create(actor=request.user, record=record, owner=owner)  # type: ignore[arg-type]
                    for barcode in d["barcodes_list"]:
                        services.item_create(actor=request.user, record=bib, library=d["library"],  # type: ignore[arg-type]
                                             barcode=barcode, item_type=d["item_type"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Đã tạo biểu ghi và %(n)d bản tài liệu.") % {"n": len(d["barcodes_list"])})
                return redirect("staff:catalog:record", pk=bib.pk)
    return render(request, "staff/catalog/quick.html", {"form": form, "duplicates": duplicates, "lint": lint_messages})


@staff_only
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    bib = get_object_or_404(BibRecord, pk=pk, is_deleted=False)
    units = _catalogue_units(request.user)
    form = ItemForm(request.POST or None, libraries=units, initial={
        "call_number": bib.call_number, "item_type": "book", "library": request.user.home_unit_id})  # type: ignore[union-attr]
    form.fields["status"].choices = catalogue_status_choices()  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.item_create(actor=request.user, record=bib, library=data.pop("library"),  # type: ignore[arg-type]
                                 barcode=data.pop("barcode"), item_type=data.pop("item_type"), **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã thêm bản tài liệu."))
            return redirect("staff:catalog:record", pk=bib.pk)
    return render(request, "staff/catalog/item_form.html", {"form": form, "bib": bib})


@staff_only
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item.objects.select_related("record", "library", "item_type"), pk=pk)
    if not has_perm(request.user, Perm.CATALOG_EDIT, item.library):  # type: ignore[arg-type]
        raise PermissionDenied(_("Bạn chỉ sửa được bản tài liệu của đơn vị mình."))
    units = _catalogue_units(request.user)
    initial = {f: getattr(item, f) for f in services.ITEM_EDITABLE}
    initial["item_type"] = item.item_type.code
    form = ItemForm(request.POST or None, libraries=units, initial=initial)
    form.fields["status"].choices = catalogue_status_choices(item.status)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        changed = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
        try:
            services.item_update(actor=request.user, item=item, **changed)  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu bản tài liệu."))
            return redirect("staff:catalog:record", pk=item.record_id)
    return render(request, "staff/catalog/item_form.html", {"form": form, "bib": item.record, "item": item})


# --- imports ---------------------------------------------------------------------------------

@staff_only
def imports(request: HttpRequest) -> HttpResponse:
    units = _catalogue_units(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, libraries=units,
                      initial={"library": request.user.home_unit_id})  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        upload = d["file"]
        folder = Path(settings.MEDIA_ROOT) / "imports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{uuid.uuid4().hex}-{Path(upload.name).name[-80:]}"
        with open(path, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        with transaction.atomic():
            job = services.import_job_create(actor=request.user, library=d["library"], path=path,  # type: ignore[arg-type]
                                             source_name=upload.name, format=d["format"], encoding=d["encoding"],
                                             match=d["match"], on_match=d["on_match"], resume=False)
            user_id = int(request.user.pk or 0)
            transaction.on_commit(lambda: import_job_task.enqueue(job.pk, user_id))
        return redirect("staff:catalog:import_job", pk=job.pk)
    jobs = Paginator(selectors.import_job_list(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "staff/catalog/imports.html", {"form": form, "jobs": jobs})


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(selectors.import_job_list(user=request.user), pk=pk)


@staff_only
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    return render(request, "staff/catalog/import_job.html", {
        "job": job, "quarantine": job.quarantine.defer("raw").order_by("index")[:200],
        "options": [(_("Định dạng tệp"), FORMAT_LABELS.get(job.format, job.format)),
                    (_("Bảng mã chữ"), ENCODING_LABELS.get(job.encoding, job.encoding)),
                    (_("Nhận biết biểu ghi đã có theo"), MATCH_LABELS.get(job.match, job.match)),
                    (_("Khi đã có biểu ghi đó"), ON_MATCH_LABELS.get(job.on_match, job.on_match))]})


@staff_only
def import_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the job page polls with HTMX while the job runs."""
    return render(request, "staff/catalog/_progress.html", {"job": _job_for(request, pk)})


@staff_only
def import_job_report(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "record_index", "offset", "message"])
    writer.writerow(["summary", "", "", job.summary])
    for entry in job.quarantine.defer("raw").order_by("index"):
        writer.writerow(["quarantined", entry.index, entry.offset, entry.reason])
    for index, offset, message in job.warnings:
        writer.writerow(["warning", index, offset, message])
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
    return response


# --- quarantine ------------------------------------------------------------------------------

@staff_only
def quarantine(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", QuarantinedRecord.Status.OPEN)
    page = Paginator(selectors.quarantine_list(user=request.user, status=status).order_by("-pk"), 25) \
        .get_page(request.GET.get("page"))
    return render(request, "staff/catalog/quarantine.html", {"page": page, "status": status,
                                                             "statuses": QuarantinedRecord.Status.choices})


def _quarantined(request: HttpRequest, pk: int) -> QuarantinedRecord:
    return get_object_or_404(QuarantinedRecord.objects.filter(scope_q(request.user, Perm.CATALOG_EDIT, "library__")),  # type: ignore[arg-type]
                             pk=pk)


@staff_only
def quarantine_raw(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _quarantined(request, pk)
    ext = {"marcxml": "xml", "json": "json"}.get(entry.format, "mrc")
    response = HttpResponse(bytes(entry.raw), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="quarantine-{entry.pk}.{ext}"'
    return response


@staff_only
def quarantine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _quarantined(request, pk)
    form = ReimportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("action") == "discard":
        services.quarantine_discard(actor=request.user, entry=entry)  # type: ignore[arg-type]
        messages.success(request, _("Đã bỏ biểu ghi cách ly."))
        return redirect("staff:catalog:quarantine")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        raw = upload.read() if upload else None
        try:
            outcome = services.quarantine_reimport(actor=request.user, entry=entry, raw=raw,  # type: ignore[arg-type]
                                                   encoding=form.cleaned_data["encoding"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã nhập lại biểu ghi."))
            if outcome.bib is not None and outcome.bib.pk:
                return redirect("staff:catalog:record", pk=outcome.bib.pk)
            return redirect("staff:catalog:quarantine")
    preview = bytes(entry.raw)[:4000].decode("utf-8", "replace")
    return render(request, "staff/catalog/quarantine_detail.html", {"entry": entry, "form": form, "preview": preview})


# --- authorities -----------------------------------------------------------------------------

@staff_only
def authorities(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    return render(request, "staff/catalog/authorities.html", {"q": q, "headings": selectors.authority_browse(q=q)})


@staff_only
def authority_detail(request: HttpRequest, pk: int) -> HttpResponse:
    auth = get_object_or_404(AuthorityRecord, pk=pk)
    from thuvien.catalog.marc.marcjson import from_json
    return render(request, "staff/catalog/authority.html", {
        "auth": auth, "rows": rows_from_record(from_json(auth.marc)),
        "bib_count": selectors.authority_bib_count(authority=auth)})


@staff_only
@require_POST
def record_delete(request: HttpRequest, pk: int) -> HttpResponse:
    bib = get_object_or_404(BibRecord, pk=pk)
    try:
        services.bib_delete(actor=request.user, bib=bib)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("staff:catalog:record", pk=pk)
    messages.success(request, _("Đã xoá biểu ghi."))
    return redirect("staff:catalog:home")
