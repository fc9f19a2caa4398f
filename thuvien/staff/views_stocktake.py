"""Staff pages for stocktake (kiểm kê): open a session, scan in the browser or upload a scanner / RFID
file (as often as needed, over several days), read the report as HTML or CSV."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuvien.core.models import OrgUnit, User
from thuvien.core.permissions import Perm, has_perm, scope_q
from thuvien.stocktake.models import Stocktake
from thuvien.stocktake.selectors import CATEGORIES, report_csv, stocktake_report
from thuvien.stocktake.services import parse_reads, stocktake_record, stocktake_start

LABELS = {
    "missing": gettext_lazy("Không tìm thấy trên giá"),
    "wrong_place": gettext_lazy("Sai chỗ (thư viện hoặc kho khác)"),
    "wrong_status": gettext_lazy("Trạng thái không phải trên giá"),
    "checked_out": gettext_lazy("Đang cho mượn mà có trên giá"),
    "lost_found": gettext_lazy("Báo mất nay tìm thấy"),
    "out_of_order": gettext_lazy("Xếp sai thứ tự"),
    "unknown": gettext_lazy("Mã vạch không có trong kho"),
    "withdrawn": gettext_lazy("Đã thanh lý"),
}
MAX_UPLOAD = 5 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class StartForm(forms.Form):
    library = forms.ModelChoiceField(label=gettext_lazy("Thư viện"), queryset=OrgUnit.objects.none(),
                                     widget=forms.Select(attrs={"style": "width:100%"}))
    location = forms.CharField(label=gettext_lazy("Vị trí kho"), max_length=128, required=False)
    call_from = forms.CharField(label=gettext_lazy("Ký hiệu xếp giá từ"), max_length=128, required=False)
    call_to = forms.CharField(label=gettext_lazy("Ký hiệu xếp giá đến"), max_length=128, required=False)
    auto_checkin = forms.BooleanField(label=gettext_lazy("Tự động nhận trả tài liệu đang cho mượn tìm thấy trên giá"),
                                      required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = (OrgUnit.objects.filter(is_active=True)  # type: ignore[attr-defined]
                                           .filter(scope_q(user, Perm.CIRC_DESK)).order_by("path"))


class ScanForm(forms.Form):
    barcodes = forms.CharField(label=gettext_lazy("Quét mã vạch (mỗi dòng một mã)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 6, "autofocus": True, "style": "width:100%"}))
    file = forms.FileField(label=gettext_lazy("hoặc tệp từ máy quét / đầu đọc RFID"), required=False)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = StartForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            stocktake = stocktake_start(actor=user, **form.cleaned_data)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("staff:stocktake:detail", pk=stocktake.pk)
    sessions = Stocktake.objects.filter(scope_q(user, Perm.CIRC_DESK, "library__")).select_related("library")[:100]
    return render(request, "staff/stocktake/home.html", {"form": form, "sessions": sessions})


def _get(request: HttpRequest, pk: int) -> Stocktake:
    stocktake = get_object_or_404(Stocktake.objects.select_related("library"), pk=pk)
    if not has_perm(_user(request), Perm.CIRC_DESK, stocktake.library):
        raise PermissionDenied(_("Bạn không có quyền kiểm kê tại %(unit)s.") % {"unit": stocktake.library.name})
    return stocktake


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    stocktake = _get(request, pk)
    form = ScanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["barcodes"] or ""
        upload = form.cleaned_data["file"]
        if upload is not None:
            if upload.size > MAX_UPLOAD:
                form.add_error("file", _("Tệp quá lớn (tối đa 5 MB)."))
            else:
                text += "\n" + upload.read().decode("utf-8-sig", errors="replace")
        if not form.errors:
            try:
                n = stocktake_record(actor=_user(request), stocktake=stocktake, codes=parse_reads(text))
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("Đã ghi nhận %(n)s mã vạch mới.") % {"n": n})
                return redirect("staff:stocktake:detail", pk=stocktake.pk)
    report = stocktake_report(stocktake=stocktake)
    sections = [(c, LABELS[c], report.rows[c][:500], len(report.rows[c])) for c in CATEGORIES]
    return render(request, "staff/stocktake/detail.html", {"stocktake": stocktake, "form": form, "report": report,
                                                           "sections": sections})


@login_required
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    stocktake = _get(request, pk)
    response = HttpResponse(report_csv(stocktake_report(stocktake=stocktake)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kiem-ke-{stocktake.pk}.csv"'
    return response
