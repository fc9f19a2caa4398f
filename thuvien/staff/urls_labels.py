from django.urls import URLPattern, URLResolver, path

from thuvien.staff import views_labels as v

urlpatterns: list[URLPattern | URLResolver] = [path("", v.home, name="home")]
