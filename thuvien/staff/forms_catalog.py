"""Forms of the staff cataloguing pages (input parsing only; services do the work)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from thuvien.catalog.importer import MATCHES, ON_MATCH
from thuvien.catalog.marc.reader import ENCODINGS, FORMATS
from thuvien.catalog.models import ItemStatus, ItemType
from thuvien.core.models import OrgUnit

LANGUAGES = [("vie", _("Tiếng Việt")), ("eng", _("Tiếng Anh")), ("fre", _("Tiếng Pháp")), ("chi", _("Tiếng Trung")),
             ("rus", _("Tiếng Nga")), ("jpn", _("Tiếng Nhật")), ("kor", _("Tiếng Hàn")), ("tay", _("Tiếng Tày")),
             ("hmn", _("Tiếng H'Mông")), ("und", _("Chưa xác định"))]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class LibraryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.name


# What each import option means, in words a librarian uses (the codes stay internal).
FORMAT_LABELS = {"auto": _("Tự nhận biết"), "iso2709": _("MARC gốc ISO 2709 (tệp .mrc, .iso, .dat)"),
                 "marcxml": _("MARCXML (tệp .xml)"), "json": _("MARC dạng JSON (tệp .json)")}
ENCODING_LABELS = {"auto": _("Tự nhận biết"), "marc8": _("MARC-8 (tệp cũ, chữ Việt kiểu ANSEL)"),
                   "utf8": _("Unicode (UTF-8)")}
MATCH_LABELS = {"001": _("Số kiểm soát của biểu ghi"), "035": _("Số biểu ghi ở hệ thống gốc"),
                "isbn": _("ISBN"), "none": _("Không so trùng (luôn thêm mới)")}
ON_MATCH_LABELS = {"skip": _("Giữ biểu ghi đã có, bỏ qua biểu ghi mới"), "overlay": _("Thay bằng biểu ghi mới"),
                   "merge": _("Gộp thêm các trường mới vào biểu ghi đã có")}


class QuickForm(forms.Form):
    title = forms.CharField(label=_("Nhan đề"), max_length=500)
    subtitle = forms.CharField(label=_("Thông tin bổ sung nhan đề"), max_length=500, required=False)
    authors = forms.CharField(label=_("Tác giả (mỗi dòng một người, người đầu là tác giả chính)"),
                              widget=forms.Textarea(attrs={"rows": 3}), required=False)
    responsibility = forms.CharField(label=_("Thông tin trách nhiệm"), max_length=500, required=False)
    publisher = forms.CharField(label=_("Nhà xuất bản"), max_length=255, required=False)
    place = forms.CharField(label=_("Nơi xuất bản"), max_length=255, required=False, initial="Hà Nội")
    year = forms.IntegerField(label=_("Năm xuất bản"), min_value=1000, max_value=2200, required=False)
    edition = forms.CharField(label=_("Lần xuất bản"), max_length=255, required=False)
    pages = forms.CharField(label=_("Số trang"), max_length=60, required=False)
    size = forms.CharField(label=_("Khổ"), max_length=30, required=False, initial="21 cm")
    ddc = forms.RegexField(label=_("Chỉ số DDC"), regex=r"^[0-9]{3}(\.[0-9]+)?$", required=False,
                           error_messages={"invalid": _("DDC có dạng 895.9223")})
    subjects = forms.CharField(label=_("Chủ đề (mỗi dòng một chủ đề)"), widget=forms.Textarea(attrs={"rows": 3}),
                               required=False)
    language = forms.ChoiceField(label=_("Ngôn ngữ"), choices=LANGUAGES, initial="vie")
    isbn = forms.CharField(label=_("ISBN"), max_length=40, required=False)
    price = forms.CharField(label=_("Giá"), max_length=40, required=False)
    series = forms.CharField(label=_("Tùng thư"), max_length=255, required=False)
    summary = forms.CharField(label=_("Tóm tắt"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    library = LibraryChoiceField(label=_("Thư viện nhận bản"), queryset=OrgUnit.objects.none(), required=False)
    barcodes = forms.CharField(label=_("Mã vạch các bản (mỗi dòng một mã)"), widget=forms.Textarea(attrs={"rows": 2}),
                               required=False)
    item_type = forms.ModelChoiceField(label=_("Loại tài liệu"), queryset=ItemType.objects.all(), required=False,
                                       to_field_name="code")
    confirm_duplicate = forms.BooleanField(label=_("Tôi đã xem các biểu ghi có thể trùng, vẫn lưu"), required=False)

    def __init__(self, *args, libraries=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = libraries if libraries is not None else OrgUnit.objects.none()

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        data["authors_list"] = _lines(data.get("authors", ""))
        data["subjects_list"] = _lines(data.get("subjects", ""))
        data["barcodes_list"] = _lines(data.get("barcodes", ""))
        if data["barcodes_list"] and not data.get("library"):
            self.add_error("library", _("Chọn thư viện nhận các bản tài liệu."))
        if data["barcodes_list"] and not data.get("item_type"):
            self.add_error("item_type", _("Chọn loại tài liệu."))
        return data


class ItemForm(forms.Form):
    library = LibraryChoiceField(label=_("Thư viện"), queryset=OrgUnit.objects.none())
    barcode = forms.CharField(label=_("Mã vạch"), max_length=64)
    call_number = forms.CharField(label=_("Ký hiệu xếp giá"), max_length=128, required=False)
    shelving_location = forms.CharField(label=_("Vị trí kho"), max_length=128, required=False)
    item_type = forms.ModelChoiceField(label=_("Loại tài liệu"), queryset=ItemType.objects.all(), to_field_name="code")
    status = forms.ChoiceField(label=_("Trạng thái"), choices=ItemStatus.choices, initial=ItemStatus.AVAILABLE)
    price = forms.DecimalField(label=_("Giá (đồng)"), max_digits=12, decimal_places=0, required=False)
    acquired_on = forms.DateField(label=_("Ngày nhập"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    acquisition_source = forms.CharField(label=_("Nguồn bổ sung"), max_length=255, required=False)
    rfid_tag = forms.CharField(label=_("Thẻ RFID"), max_length=64, required=False)
    notes = forms.CharField(label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, libraries=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = libraries if libraries is not None else OrgUnit.objects.none()


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Tệp MARC (ISO 2709, MARCXML, MARC-in-JSON)"))
    library = LibraryChoiceField(label=_("Thư viện nhận"), queryset=OrgUnit.objects.none())
    format = forms.ChoiceField(label=_("Định dạng tệp"), choices=[(f, FORMAT_LABELS[f]) for f in FORMATS],
                               initial="auto")
    encoding = forms.ChoiceField(label=_("Bảng mã chữ"), choices=[(e, ENCODING_LABELS[e]) for e in ENCODINGS],
                                 initial="auto")
    match = forms.ChoiceField(label=_("Nhận biết biểu ghi đã có theo"), choices=[(m, MATCH_LABELS[m]) for m in MATCHES],
                              initial="001")
    on_match = forms.ChoiceField(label=_("Khi đã có biểu ghi đó"), choices=[(m, ON_MATCH_LABELS[m]) for m in ON_MATCH],
                                 initial="skip")

    def __init__(self, *args, libraries=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = libraries if libraries is not None else OrgUnit.objects.none()


class ReimportForm(forms.Form):
    encoding = forms.ChoiceField(label=_("Đọc lại với bảng mã"), choices=[(e, ENCODING_LABELS[e]) for e in ENCODINGS],
                                 initial="auto")
    file = forms.FileField(label=_("hoặc tải lên biểu ghi đã sửa"), required=False)
