"""Print item labels, spine labels or reader cards (PDF, or ZPL for thermal printers) from a list of
barcodes or card numbers, ranges such as VV.000100-VV.000150, or the items added since a date; and
manage the sheet layouts (built-in presets, copied and measured by each library) with a print test."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuvien.catalog import labels as L
from thuvien.catalog.label_data import MAX_LABELS, build, expand_codes, new_item_codes
from thuvien.catalog.label_layouts import (
    LAYOUT_FIELDS,
    label_layout_create,
    label_layout_delete,
    label_layout_list,
    label_layout_update,
    may_manage,
)
from thuvien.catalog.logos import MAX_LOGO_BYTES, library_logo_remove, library_logo_set
from thuvien.catalog.models import LabelLayout, LibraryLogo
from thuvien.core.models import OrgUnit, User
from thuvien.core.permissions import Perm, scope_q


def _print_units(user: User):  # type: ignore[no-untyped-def]
    return (OrgUnit.objects.filter(is_active=True)
            .filter(scope_q(user, Perm.CATALOG_EDIT) | scope_q(user, Perm.CIRC_DESK)).order_by("path"))


class LabelForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), choices=[
        ("item", gettext_lazy("Nhãn mã vạch")), ("spine", gettext_lazy("Nhãn gáy sách")),
        ("card", gettext_lazy("Thẻ bạn đọc"))])
    library = forms.ModelChoiceField(label=gettext_lazy("Thư viện"), queryset=OrgUnit.objects.none(),
                                     widget=forms.Select(attrs={"style": "width:100%"}))
    codes = forms.CharField(label=gettext_lazy("Mã vạch / số thẻ (mỗi dòng một mã hoặc một khoảng A-B)"),
                            required=False, widget=forms.Textarea(attrs={"rows": 5, "style": "width:100%"}))
    new_since = forms.DateField(label=gettext_lazy("hoặc các bản nhập từ ngày"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    layout = forms.ModelChoiceField(label=gettext_lazy("Khổ nhãn"), queryset=LabelLayout.objects.none(),
                                    to_field_name="name", widget=forms.Select(attrs={"style": "width:100%"}))
    start = forms.IntegerField(label=gettext_lazy("Bắt đầu từ nhãn số (tờ đã dùng dở)"), min_value=1, initial=1)
    zpl = forms.BooleanField(label=gettext_lazy("ZPL cho máy in nhiệt 50×25 mm"), required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = _print_units(user)  # type: ignore[attr-defined]
        self.fields["layout"].queryset = label_layout_list(user=user)  # type: ignore[attr-defined]
        self.fields["layout"].label_from_instance = _layout_label  # type: ignore[attr-defined]
        self.fields["layout"].initial = "A4-65"

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        layout = data.get("layout")
        if layout is not None and data.get("start") and data["start"] > layout.per_page:
            self.add_error("start", _("Khổ này có %(n)s nhãn mỗi tờ.") % {"n": layout.per_page})
        if not data.get("codes", "").strip() and not data.get("new_since"):
            raise forms.ValidationError(_("Hãy nhập mã vạch hoặc chọn ngày nhập."))
        if data.get("zpl") and data.get("kind") != "item":
            self.add_error("zpl", _("ZPL chỉ dùng cho nhãn mã vạch."))
        return data


def _layout_label(layout: LabelLayout) -> str:
    owner = layout.library.short_name or layout.library.name if layout.library else _("có sẵn")
    return f"{layout.name} ({owner})"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    # Links from an item list or a reader's page prefill the form: ?kind=item&codes=A%0AB&library=7
    initial = {key: request.GET[key] for key in ("kind", "codes", "library", "layout") if request.GET.get(key)}
    if initial.get("kind") == "card" and "layout" not in initial:
        initial["layout"] = "A4-10-CR80"
    form = LabelForm(request.POST or None, user=user, initial=initial)
    missing: list[str] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        codes = expand_codes(d["codes"] or "")
        if d["new_since"] and d["kind"] != "card":
            codes += new_item_codes(d["library"], d["new_since"], MAX_LABELS - len(codes))
        found, missing = build(d["kind"], d["library"], codes)
        if found and d["zpl"]:
            response = HttpResponse(L.render_zpl(found), content_type="application/octet-stream")
            response["Content-Disposition"] = 'attachment; filename="nhan.zpl"'
            return response
        if found:
            pdf = L.render_pdf(found, d["layout"].as_layout(), start=d["start"])
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{d["kind"]}.pdf"'
            return response
        form.add_error(None, _("Không có nhãn nào để in."))
    return render(request, "staff/labels.html", {"form": form, "missing": missing[:200]})


# -- layouts ---------------------------------------------------------------------------------------

class LayoutForm(forms.Form):
    library = forms.ModelChoiceField(label=gettext_lazy("Thư viện"), queryset=OrgUnit.objects.none(),
                                     widget=forms.Select(attrs={"style": "width:100%"}))
    name = forms.CharField(label=gettext_lazy("Tên khổ nhãn"), max_length=64)
    description = forms.CharField(label=gettext_lazy("Mô tả"), max_length=200, required=False)
    page_width = forms.DecimalField(label=gettext_lazy("Khổ giấy rộng (mm)"), decimal_places=2, initial=210)
    page_height = forms.DecimalField(label=gettext_lazy("Khổ giấy cao (mm)"), decimal_places=2, initial=297)
    cols = forms.IntegerField(label=gettext_lazy("Số cột"))
    rows = forms.IntegerField(label=gettext_lazy("Số hàng"))
    label_width = forms.DecimalField(label=gettext_lazy("Nhãn rộng (mm)"), decimal_places=2)
    label_height = forms.DecimalField(label=gettext_lazy("Nhãn cao (mm)"), decimal_places=2)
    margin_top = forms.DecimalField(label=gettext_lazy("Lề trên (mm)"), decimal_places=2, initial=0)
    margin_left = forms.DecimalField(label=gettext_lazy("Lề trái (mm)"), decimal_places=2, initial=0)
    pitch_x = forms.DecimalField(label=gettext_lazy("Bước ngang: từ mép trái nhãn này đến nhãn sau (mm)"),
                                 decimal_places=2)
    pitch_y = forms.DecimalField(label=gettext_lazy("Bước dọc: từ mép trên nhãn này đến nhãn dưới (mm)"),
                                 decimal_places=2)
    offset_x = forms.DecimalField(label=gettext_lazy("Dịch sang phải (mm, máy in lệch)"), decimal_places=2, initial=0)
    offset_y = forms.DecimalField(label=gettext_lazy("Dịch xuống (mm, máy in lệch)"), decimal_places=2, initial=0)

    def __init__(self, *args, user: User, editing: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = _print_units(user)  # type: ignore[attr-defined]
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField | forms.IntegerField):
                field.widget.attrs.update({"inputmode": "decimal", "style": "max-width:8rem"})
        if editing:
            del self.fields["library"]


def _initial(layout: LabelLayout) -> dict[str, Any]:
    return {key: getattr(layout, key) for key in LAYOUT_FIELDS}


def _save(request: HttpRequest, form: LayoutForm, action: Any) -> LabelLayout | None:
    """Run the service; its field errors (labels that do not fit...) go onto the form."""
    try:
        return action(form.cleaned_data)  # type: ignore[no-any-return]
    except ValidationError as exc:
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("Bạn không có quyền."))
    return None


@login_required
def layouts(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    rows = [(layout, may_manage(user, layout.library)) for layout in label_layout_list(user=user)]
    return render(request, "staff/label_layouts.html", {"rows": rows})


@login_required
def layout_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    source = None
    if request.GET.get("copy"):
        source = get_object_or_404(label_layout_list(user=user), pk=request.GET["copy"])
    initial = _initial(source) if source else {}
    if source is not None:
        initial["name"] = _("%(n)s (bản sao)") % {"n": source.name}
    form = LayoutForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        layout = _save(request, form, lambda d: label_layout_create(
            actor=user, library=d["library"], data={k: v for k, v in d.items() if k != "library"}))
        if layout is not None:
            messages.success(request, _("Đã lưu khổ nhãn %(n)s.") % {"n": layout.name})
            return redirect("staff:labels:layout", pk=layout.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "staff/label_layout_form.html", {"form": form, "layout": None, "source": source},
                  status=status)


@login_required
def layout_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    layout = get_object_or_404(label_layout_list(user=user), pk=pk)
    editable = may_manage(user, layout.library)
    form = LayoutForm(request.POST or None, user=user, editing=True, initial=_initial(layout))
    if request.method == "POST":
        if request.POST.get("delete") == "1":
            try:
                label_layout_delete(actor=user, layout=layout)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
                return redirect("staff:labels:layout", pk=layout.pk)
            messages.success(request, _("Đã xoá khổ nhãn %(n)s.") % {"n": layout.name})
            return redirect("staff:labels:layouts")
        if form.is_valid() and _save(request, form, lambda d: label_layout_update(actor=user, layout=layout, data=d)):
            messages.success(request, _("Đã lưu khổ nhãn %(n)s.") % {"n": form.cleaned_data["name"]})
            return redirect("staff:labels:layout", pk=layout.pk)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    status = 400 if request.method == "POST" else 200
    return render(request, "staff/label_layout_form.html",
                  {"form": form, "layout": layout, "editable": editable, **_preview(layout)}, status=status)


def _preview(layout: LabelLayout) -> dict[str, Any]:
    """The sheet drawn as SVG (in mm): page size and each label's top-left corner, offsets included."""
    sheet = layout.as_layout()
    cells = []
    for n in range(sheet.per_page):
        row, col = divmod(n, sheet.cols)
        cells.append((n + 1, f"{sheet.left + sheet.offset_x + col * sheet.pitch_x:.2f}",
                      f"{sheet.top + sheet.offset_y + row * sheet.pitch_y:.2f}"))
    return {"page_w": f"{sheet.page[0]:.2f}", "page_h": f"{sheet.page[1]:.2f}", "cells": cells,
            "w": f"{sheet.width:.2f}", "h": f"{sheet.height:.2f}"}


@login_required
def layout_test(request: HttpRequest, pk: int) -> HttpResponse:
    """The print test: every label's outline and number on plain paper, with the saved offsets."""
    user = request.user
    assert isinstance(user, User)
    layout = get_object_or_404(label_layout_list(user=user), pk=pk)
    try:
        start = int(request.GET.get("start", "1"))
        pdf = L.render_test_sheet(layout.as_layout(), start=start)
    except ValueError:
        messages.error(request, _("Khổ này có %(n)s nhãn mỗi tờ.") % {"n": layout.per_page})
        return redirect("staff:labels:layout", pk=layout.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="in-thu-{layout.pk}.pdf"'
    return response


# -- logos -----------------------------------------------------------------------------------------

class LogoForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Thư viện"), queryset=OrgUnit.objects.none(),
                                  widget=forms.Select(attrs={"style": "width:100%"}))
    image = forms.FileField(label=gettext_lazy("Logo (PNG hoặc JPEG, tối đa 512 KB)"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}))

    def __init__(self, *args, user: User, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (OrgUnit.objects.filter(is_active=True)  # type: ignore[attr-defined]
                                        .filter(scope_q(user, Perm.ORG_EDIT)).order_by("path"))


@login_required
def logos(request: HttpRequest) -> HttpResponse:
    """Upload, replace or remove a library's logo for reader cards."""
    user = request.user
    assert isinstance(user, User)
    form = LogoForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["unit"]
        upload = form.cleaned_data["image"]
        try:
            if request.POST.get("remove") == "1":
                library_logo_remove(actor=user, unit=unit)
                messages.success(request, _("Đã xoá logo của %(u)s.") % {"u": unit.name})
                return redirect("staff:labels:logos")
            if not upload:
                form.add_error("image", _("Hãy chọn tệp ảnh logo."))
            elif upload.size > MAX_LOGO_BYTES:
                form.add_error("image", _("Logo quá lớn (%(n)s KB); tối đa %(m)s KB.") % {
                    "n": (upload.size + 1023) // 1024, "m": MAX_LOGO_BYTES // 1024})
            else:
                library_logo_set(actor=user, unit=unit, data=upload.read())
                messages.success(request, _("Đã lưu logo của %(u)s.") % {"u": unit.name})
                return redirect("staff:labels:logos")
        except ValidationError as exc:
            form.add_error("image", exc.messages)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("Bạn không có quyền."))
    current = LibraryLogo.objects.filter(unit__in=form.fields["unit"].queryset).select_related("unit")  # type: ignore[attr-defined]
    return render(request, "staff/label_logos.html", {"form": form, "logos": current.order_by("unit__path")},
                  status=400 if request.method == "POST" else 200)


@login_required
def logo_image(request: HttpRequest, unit: int) -> HttpResponse:
    """The stored logo, for the preview on the logos page."""
    logo = get_object_or_404(LibraryLogo, unit_id=unit)
    with logo.image.open("rb") as f:
        data = f.read()
    response = HttpResponse(data, content_type=logo.content_type)
    response["Cache-Control"] = "private, max-age=60"
    return response
