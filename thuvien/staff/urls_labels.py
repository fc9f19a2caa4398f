from django.urls import URLPattern, URLResolver, path

from thuvien.staff import views_labels as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.home, name="home"),
    path("layouts/", v.layouts, name="layouts"),
    path("layouts/new/", v.layout_new, name="layout_new"),
    path("layouts/<int:pk>/", v.layout_edit, name="layout"),
    path("layouts/<int:pk>/test.pdf", v.layout_test, name="layout_test"),
    path("logos/", v.logos, name="logos"),
    path("logos/<int:unit>/image", v.logo_image, name="logo_image"),
]
