"""The django-ninja API: one router module per app, mounted here."""

from django.urls import path
from ninja import NinjaAPI

from thuvien.api import catalog, circulation, core, devices, digital, reports, search

api = NinjaAPI(title="thuvien API", version="1", urls_namespace="api")
api.add_router("/", core.router)
api.add_router("/", search.router)
api.add_router("/", catalog.router)
api.add_router("/", circulation.router)
api.add_router("/", digital.router)
api.add_router("/", reports.router)
api.add_router("/", devices.router)

urlpatterns = [path("", api.urls)]
