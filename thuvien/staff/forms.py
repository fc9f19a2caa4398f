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


class StaffCreateForm(forms.Form):
    username = forms.SlugField(label=_("Tên đăng nhập"), max_length=150)
    display_name = forms.CharField(label=_("Họ và tên"), max_length=255)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    password = forms.CharField(label=_("Mật khẩu ban đầu"), widget=forms.PasswordInput, min_length=10)
    home_unit = forms.ModelChoiceField(label=_("Nơi làm việc"), queryset=OrgUnit.objects.filter(is_active=True))


class GrantForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Tại đơn vị"), queryset=OrgUnit.objects.filter(is_active=True))
    role = forms.ChoiceField(label=_("Vai trò"), choices=[])

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from thuvien.core.models import Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = Role.choices


class OutboundAllowForm(forms.Form):
    entry = forms.CharField(label=_("Máy chủ hoặc dải địa chỉ"), max_length=255,
                            help_text=_("Tên máy chủ (opac.thuvien.lan), địa chỉ (10.20.0.5) hoặc dải địa chỉ "
                                        "(10.20.0.0/16)."))
    note = forms.CharField(label=_("Ghi chú"), max_length=255, required=False)


class UnitKindForm(forms.Form):
    code = forms.SlugField(label=_("Mã"), max_length=40)
    name = forms.CharField(label=_("Tên"), max_length=120)
    name_en = forms.CharField(label=_("Tên tiếng Anh"), max_length=120, required=False)
    holds_items = forms.BooleanField(label=_("Có kho tài liệu"), required=False)
    circulates = forms.BooleanField(label=_("Có phục vụ mượn trả"), required=False)
    sort_order = forms.IntegerField(label=_("Thứ tự"), min_value=0, initial=100)
