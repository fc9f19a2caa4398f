from django.conf import settings
from django.conf.urls.static import static
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", include("thuvien.staff.urls")),
    path("api/v1/", include("thuvien.api.urls")),
    path("", include("thuvien.protocols.urls")),
    path("", include("thuvien.digital.urls")),
    path("", include("thuvien.portal.urls")),
    path("", include("thuvien.opac.urls_online")),
    path("", include("thuvien.opac.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
