"""Public portal URLs. Each area has its own module."""

from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from thuvien.opac import views

app_name = "opac"
urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", RedirectView.as_view(url=static("thuvien/favicon.svg"), permanent=True)),
    path("", include("thuvien.opac.urls_search")),
    path("account/", include("thuvien.opac.urls_account")),
]
