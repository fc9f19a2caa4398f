"""Print item labels, spine labels or reader cards (PDF, or ZPL for thermal printers) from a list of
barcodes or card numbers, ranges such as VV.000100-VV.000150, or the items added since a date."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuvien.catalog import labels as L
from thuvien.catalog.label_data import MAX_LABELS, build, expand_codes, new_item_codes
from thuvien.core.models import OrgUnit, User
from thuvien.core.permissions import Perm, scope_q


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
    layout = forms.ChoiceField(label=gettext_lazy("Khổ giấy"), choices=[(n, n) for n in L.LAYOUTS])
    start = forms.IntegerField(label=gettext_lazy("Bắt đầu từ nhãn số"), min_value=1, initial=1)
    offset_x = forms.FloatField(label=gettext_lazy("Dịch sang phải (mm)"), initial=0, min_value=-20, max_value=20)
    offset_y = forms.FloatField(label=gettext_lazy("Dịch xuống (mm)"), initial=0, min_value=-20, max_value=20)
    zpl = forms.BooleanField(label=gettext_lazy("ZPL cho máy in nhiệt 50×25 mm"), required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = (OrgUnit.objects.filter(is_active=True)  # type: ignore[attr-defined]
                                           .filter(scope_q(user, Perm.CATALOG_EDIT) | scope_q(user, Perm.CIRC_DESK))
                                           .order_by("path"))

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        layout = L.LAYOUTS.get(data.get("layout", ""))
        if layout is not None and data.get("start") and data["start"] > layout.per_page:
            self.add_error("start", _("Khổ này có %(n)s nhãn mỗi tờ.") % {"n": layout.per_page})
        if not data.get("codes", "").strip() and not data.get("new_since"):
            raise forms.ValidationError(_("Hãy nhập mã vạch hoặc chọn ngày nhập."))
        if data.get("zpl") and data.get("kind") != "item":
            self.add_error("zpl", _("ZPL chỉ dùng cho nhãn mã vạch."))
        return data


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = LabelForm(request.POST or None, user=user)
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
            pdf = L.render_pdf(found, L.LAYOUTS[d["layout"]], start=d["start"], offset_x=d["offset_x"],
                               offset_y=d["offset_y"])
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{d["kind"]}.pdf"'
            return response
        form.add_error(None, _("Không có nhãn nào để in."))
    return render(request, "staff/labels.html", {"form": form, "missing": missing[:200]})
