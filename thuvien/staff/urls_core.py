from django.contrib.auth import views as auth_views
from django.urls import path

from thuvien.staff import views_admin as adm
from thuvien.staff import views_core as v

urlpatterns = [
    path("", v.home, name="home"),
    path("login/", v.LoginView.as_view(), name="login"),
    path("login/code/", v.login_code, name="login_code"),
    path("2fa/", v.second_factor_setup, name="second_factor"),
    path("logout/", auth_views.LogoutView.as_view(next_page="staff:login"), name="logout"),
    path("network/", v.tree, name="tree"),
    path("network/<str:code>/", v.unit_detail, name="unit"),
    path("network/<str:code>/edit/", v.unit_edit, name="unit_edit"),
    path("network/<str:code>/add/", v.unit_add, name="unit_add"),
    path("network/<str:code>/move/", v.unit_move, name="unit_move"),
    path("network/<str:code>/merge/", v.network_merge, name="network_merge"),
    path("network/<str:code>/setting/", adm.unit_setting, name="unit_setting"),
    path("kinds/", adm.unit_kinds, name="unit_kinds"),
    path("outbound/", adm.outbound_allow_list, name="outbound"),
    path("accounts/", adm.staff_list, name="staff_list"),
    path("accounts/<str:username>/", adm.staff_detail, name="staff_detail"),
    path("audit/", v.audit, name="audit"),
]
