from django.urls import URLPattern, URLResolver, path

from thuvien.staff import views_interop as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.home, name="home"),
    path("sources/add/", v.source_add, name="source_add"),
    path("sources/<slug:code>/", v.source_detail, name="source"),
    path("sources/<slug:code>/edit/", v.source_edit, name="source_edit"),
    path("sources/<slug:code>/harvest/", v.source_harvest, name="source_harvest"),
    path("runs/<int:pk>/", v.run_detail, name="run"),
    path("targets/add/", v.target_add, name="target_add"),
    path("targets/<int:pk>/delete/", v.target_delete, name="target_delete"),
    path("copy/", v.copy_search, name="copy"),
    path("copy/import/", v.copy_import, name="copy_import"),
]
