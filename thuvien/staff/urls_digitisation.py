from django.urls import URLPattern, URLResolver, path

from thuvien.staff import views_digitisation as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.home, name="home"),
    path("export.csv", v.export_csv, name="export_csv"),
    path("project/<int:pk>/", v.project_detail, name="project"),
    path("project/<int:pk>/report/", v.report_pdf, name="report"),
    path("item/<int:pk>/", v.item_detail, name="item"),
    path("item/<int:pk>/qc/", v.item_qc, name="qc"),
]
