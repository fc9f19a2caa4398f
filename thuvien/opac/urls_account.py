from django.contrib.auth import views as auth_views
from django.urls import path

from thuvien.opac import views_account as v

urlpatterns = [
    path("", v.account, name="account"),
    path("login/", v.LoginView.as_view(), name="account_login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="opac:home"), name="account_logout"),
    path("register/", v.register, name="account_register"),
    path("export/", v.export, name="account_export"),
    path("hold/<int:record_id>/", v.hold_place, name="account_hold"),
    path("password/reset/", v.PasswordResetView.as_view(), name="account_password_reset"),
    path("password/reset/done/", auth_views.PasswordResetDoneView.as_view(
        template_name="opac/account/password_reset_done.html"), name="account_password_reset_done"),
    path("password/reset/<uidb64>/<token>/", v.PasswordResetConfirmView.as_view(),
         name="account_password_reset_confirm"),
]
