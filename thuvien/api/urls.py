"""The django-ninja API: one router module per app, mounted here."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET
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


@require_GET
def redoc(request: HttpRequest) -> HttpResponse:
    """The same OpenAPI document in ReDoc, from django-ninja's bundled redoc.standalone.js (our static
    files, like Swagger UI at /api/v1/docs): it works on an intranet without internet. Our own page
    (no inline script) under our CSP, which also stops the one thing ReDoc fetches from elsewhere,
    the Redocly logo of its "API docs by Redocly" line (ReDoc hides it when it fails to load)."""
    response = render(request, "api/redoc.html", {"title": api.title,
                                                  "openapi_url": reverse("api:openapi-json")})
    response["Content-Security-Policy"] = f"{settings.THUVIEN_CSP}; worker-src 'self' blob:"
    return response


urlpatterns = [path("redoc", redoc, name="redoc"), path("", api.urls)]
