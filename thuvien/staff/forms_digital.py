"""Forms of the staff digital-library pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from thuvien.digital.models import AccessLevel, Collection, DigitalObject, OcrProfile


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files (a ZIP, a PDF, or the page images of a folder)."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".zip,.pdf,.tif,.tiff,.jpg,.jpeg,.png,.jp2"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    upload = MultipleFileField(label=_("Tệp ZIP, PDF hoặc các ảnh trang của một tập"))
    collection = forms.ModelChoiceField(label=_("Bộ sưu tập"), queryset=Collection.objects.none())
    record = forms.CharField(label=_("Biểu ghi (id hoặc số 001)"), max_length=64, required=False)
    title = forms.CharField(label=_("Nhan đề (khi không gắn biểu ghi)"), max_length=500, required=False)
    language = forms.CharField(label=_("Ngôn ngữ (ISO 639-3)"), max_length=3, initial="vie")
    ocr = forms.ChoiceField(label=_("Nhận dạng chữ"), choices=OcrProfile.choices, initial=OcrProfile.VIE,
                            widget=forms.Select(attrs={"style": "max-width:100%"}))
    access = forms.ChoiceField(label=_("Mức truy cập"), choices=AccessLevel.choices, initial=AccessLevel.PUBLIC)

    def __init__(self, *args, collections=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["collection"].queryset = collections if collections is not None else Collection.objects.none()

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if not (data.get("record") or "").strip() and not (data.get("title") or "").strip():
            raise forms.ValidationError(_("Cần một biểu ghi hoặc một nhan đề."))
        return data


class AccessForm(forms.ModelForm):
    rights = forms.URLField(label=_("quyền (URI)"), assume_scheme="https")

    class Meta:
        model = DigitalObject
        fields = ["title", "access", "embargo_until", "rights", "language", "right_to_left"]
        widgets = {"embargo_until": forms.DateInput(attrs={"type": "date"}),
                   "title": forms.TextInput()}
