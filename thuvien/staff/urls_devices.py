from django.urls import URLPattern, URLResolver, path

from thuvien.staff import views_devices as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.home, name="home"),
    path("terminals/add/", v.terminal_add, name="terminal_add"),
    path("terminals/<int:pk>/toggle/", v.terminal_toggle, name="terminal_toggle"),
    path("tokens/add/", v.token_add, name="token_add"),
    path("tokens/<int:pk>/revoke/", v.token_revoke, name="token_revoke"),
]
