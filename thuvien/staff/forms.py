from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from thuvien.core.models import OrgUnit, UnitKind


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Tên"), max_length=255)
    short_name = forms.CharField(label=_("Tên ngắn"), max_length=80, required=False)
    kind = forms.ModelChoiceField(label=_("Loại đơn vị"), queryset=UnitKind.objects.all())
    address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=60, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    website = forms.URLField(label=_("Trang web"), required=False, assume_scheme="https")
    opening_hours = forms.CharField(label=_("Giờ mở cửa"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class UnitCreateForm(UnitForm):
    code = forms.CharField(label=_("Mã (ISIL)"), max_length=32)


class MoveForm(forms.Form):
    new_parent = forms.ModelChoiceField(label=_("Chuyển vào đơn vị"), queryset=OrgUnit.objects.filter(is_active=True))


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Hợp nhất vào mạng lưới"),
                                    queryset=OrgUnit.objects.filter(is_active=True, parent__isnull=True))
    confirm = forms.BooleanField(label=_("Tôi hiểu rằng thao tác này không thể hoàn tác"))
