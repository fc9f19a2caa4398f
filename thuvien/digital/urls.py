"""IIIF and digital-library URLs (mounted at the site root)."""

from django.urls import path, re_path

from thuvien.digital import views

app_name = "digital"

urlpatterns = [
    path("iiif/3/<uuid:page_uuid>", views.image_base, name="image_base"),
    path("iiif/3/<uuid:page_uuid>/info.json", views.image_info, name="image_info"),
    re_path(r"^iiif/3/(?P<page_uuid>[0-9a-f-]{36})/(?P<region>[^/]+)/(?P<size>[^/]+)/(?P<rotation>[^/]+)/"
            r"(?P<quality_format>[^/]+)$", views.image_request, name="image"),
    path("iiif/collection/<slug:code>", views.collection_manifest, name="collection"),
    path("iiif/<uuid:obj_uuid>/manifest", views.manifest, name="manifest"),
    path("iiif/<uuid:obj_uuid>/search2", views.search2, name="search2"),
    path("iiif/<uuid:obj_uuid>/search1", views.search1, name="search1"),
    path("iiif/<uuid:obj_uuid>/autocomplete2", views.autocomplete2, name="autocomplete2"),
    path("iiif/<uuid:obj_uuid>/alto/<int:order>", views.alto, name="alto"),
    path("iiif/<uuid:obj_uuid>/hocr/<int:order>", views.hocr, name="hocr"),
    path("digital/<uuid:obj_uuid>/", views.viewer, name="viewer"),
    path("digital/<uuid:obj_uuid>/research", views.mirador, name="research"),
    path("digital/<uuid:obj_uuid>/pdf", views.pdf, name="pdf"),
]
