"""Forms of the digitisation pages (validation only; the services do the writing)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from thuvien.digital.models import Collection
from thuvien.digitisation.models import HoldingsKind, Measure, RescanReason

PRIORITIES = [(1, _("1 - Cao")), (2, _("2 - Bình thường")), (3, _("3 - Thấp"))]


class ProjectForm(forms.Form):
    collection = forms.ModelChoiceField(queryset=Collection.objects.none(), label=_("Bộ sưu tập số"))
    holdings_kind = forms.ChoiceField(choices=HoldingsKind.choices, label=_("Vốn tài liệu gốc"))
    min_ppi = forms.IntegerField(min_value=72, max_value=2400, initial=300, label=_("Độ phân giải tối thiểu (ppi)"))

    def __init__(self, *args: Any, collections: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collection"].queryset = collections  # type: ignore[attr-defined]


class TargetForm(forms.Form):
    measure = forms.ChoiceField(choices=Measure.choices, label=_("Đơn vị chỉ tiêu"))
    value = forms.IntegerField(min_value=1, max_value=10_000_000, label=_("Chỉ tiêu"))
    phase = forms.CharField(max_length=120, required=False, label=_("Giai đoạn"))
    deadline = forms.DateField(label=_("Hạn hoàn thành"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("measure") == Measure.PERCENT and (data.get("value") or 0) > 100:
            self.add_error("value", _("Tỷ lệ không quá 100%."))
        return data


class PlanAddForm(forms.Form):
    records = forms.TypedMultipleChoiceField(coerce=int, choices=[], label=_("Biểu ghi"),
                                             widget=forms.CheckboxSelectMultiple)
    priority = forms.TypedChoiceField(coerce=int, choices=PRIORITIES, initial=2, label=_("Ưu tiên"))
    condition = forms.CharField(max_length=2000, required=False, label=_("Tình trạng bản gốc"),
                                widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["records"].choices = choices  # type: ignore[attr-defined]


class TransitionForm(forms.Form):
    to = forms.CharField(max_length=12)
    reason = forms.CharField(max_length=2000, required=False, label=_("Lý do, ghi chú"))
    obj = forms.IntegerField(required=False)


class RescanForm(forms.Form):
    page = forms.IntegerField()
    reason = forms.ChoiceField(choices=RescanReason.choices, label=_("Lý do quét lại"))
    note = forms.CharField(max_length=500, required=False, label=_("Ghi chú"))
