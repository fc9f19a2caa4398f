from django.urls import URLPattern, URLResolver, path

from thuvien.opac import downloads, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("search/", views.search, name="search"),
    path("search/advanced/", views.advanced, name="advanced"),
    path("search/suggest/", views.suggest, name="suggest"),
    path("record/<int:pk>/", views.record, name="record"),
    path("record/<int:pk>/marc/", views.record_marc, name="record_marc"),
    path("record/<int:pk>/export/<str:fmt>/", downloads.record_download, name="record_export"),
    path("r/<uuid:uuid>/", views.permalink, name="permalink"),
]
