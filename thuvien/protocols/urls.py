from django.urls import URLPattern, URLResolver, path

from thuvien.protocols.oaipmh.views import oai
from thuvien.protocols.sru.views import sru

urlpatterns: list[URLPattern | URLResolver] = [
    path("sru", sru, name="sru"),
    path("sru/<str:library_code>", sru, name="sru-library"),
    path("oai", oai, name="oai"),
]
