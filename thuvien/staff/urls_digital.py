from django.urls import URLPattern, URLResolver, path

from thuvien.staff import views_digital as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.home, name="home"),
    path("object/<int:pk>/", v.object_detail, name="object"),
    path("object/<int:pk>/progress/", v.object_progress, name="progress"),
    path("page/<int:pk>/text/", v.page_text, name="page_text"),
]
