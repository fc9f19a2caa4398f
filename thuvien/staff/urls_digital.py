from django.urls import URLPattern, URLResolver, path

from thuvien.staff import views_digital as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.home, name="home"),
    path("object/<int:pk>/", v.object_detail, name="object"),
    path("object/<int:pk>/progress/", v.object_progress, name="progress"),
    path("object/<int:pk>/reorder/", v.object_reorder, name="reorder"),
    path("object/<int:pk>/repair/", v.object_repair_view, name="repair"),
    path("storage/", v.storage, name="storage"),
    path("page/<int:pk>/text/", v.page_text, name="page_text"),
    path("page/<int:pk>/replace/", v.page_replace_view, name="page_replace"),
]
