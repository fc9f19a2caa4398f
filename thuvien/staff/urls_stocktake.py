from django.urls import URLPattern, URLResolver, path

from thuvien.staff import views_stocktake as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.home, name="home"),
    path("<int:pk>/", v.detail, name="detail"),
    path("<int:pk>/report.csv", v.report_download, name="csv"),
]
