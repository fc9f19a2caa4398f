"""Staff client URLs. Each area has its own module, owned by the app it serves."""

from django.urls import include, path

app_name = "staff"
urlpatterns = [
    path("", include("thuvien.staff.urls_core")),
    path("catalog/", include(("thuvien.staff.urls_catalog", "catalog"))),
    path("circ/", include(("thuvien.staff.urls_circulation", "circ"))),
    path("interop/", include(("thuvien.staff.urls_interop", "interop"))),
    path("schedule/", include("thuvien.scheduler.urls")),
    path("privacy/", include(("thuvien.staff.urls_privacy", "privacy"))),
    path("digital/", include(("thuvien.staff.urls_digital", "digital"))),
    path("digitisation/", include(("thuvien.staff.urls_digitisation", "digitisation"))),
    path("reports/", include(("thuvien.staff.urls_reports", "reports"))),
    path("devices/", include(("thuvien.staff.urls_devices", "devices"))),
    path("stocktake/", include(("thuvien.staff.urls_stocktake", "stocktake"))),
    path("labels/", include(("thuvien.staff.urls_labels", "labels"))),
    path("online/", include(("thuvien.staff.urls_online", "online"))),
]
