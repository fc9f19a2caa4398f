from django.urls import URLPattern, URLResolver, path

from thuvien.staff import views_catalog as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.home, name="home"),
    path("new/", v.quick, name="quick"),
    path("new/marc/", v.record_edit, name="record_new"),
    path("record/<int:pk>/", v.record_detail, name="record"),
    path("record/<int:pk>/edit/", v.record_edit, name="record_edit"),
    path("change-requests/", v.change_requests, name="change_requests"),
    path("record/<int:pk>/delete/", v.record_delete, name="record_delete"),
    path("record/<int:pk>/merge/", v.record_merge, name="record_merge"),
    path("record/<int:pk>/download.<str:fmt>", v.record_download, name="record_download"),
    path("record/<int:pk>/items/add/", v.item_add, name="item_add"),
    path("item/<int:pk>/edit/", v.item_edit, name="item_edit"),
    path("import/", v.imports, name="imports"),
    path("import/<int:pk>/", v.import_job, name="import_job"),
    path("import/<int:pk>/progress/", v.import_job_progress, name="import_progress"),
    path("import/<int:pk>/report.csv", v.import_job_report, name="import_report"),
    path("quarantine/", v.quarantine, name="quarantine"),
    path("quarantine/<int:pk>/", v.quarantine_detail, name="quarantine_detail"),
    path("quarantine/<int:pk>/raw", v.quarantine_raw, name="quarantine_raw"),
    path("authorities/", v.authorities, name="authorities"),
    path("authorities/<int:pk>/", v.authority_detail, name="authority"),
]
