"""Public portal URLs. Each area has its own module."""

from django.urls import include, path

from thuvien.opac import views

app_name = "opac"
urlpatterns = [
    path("", views.home, name="home"),
    path("", include("thuvien.opac.urls_search")),
    path("account/", include("thuvien.opac.urls_account")),
]
