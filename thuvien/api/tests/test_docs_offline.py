"""The API documentation (Swagger UI at /api/v1/docs, ReDoc at /api/v1/redoc) loads its scripts and
styles from our own static files, never from a CDN: it works on a provincial intranet without internet."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders

DOCS = {"/api/v1/docs": ["/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui.css"],
        "/api/v1/redoc": ["/static/ninja/redoc.standalone.js"]}


@pytest.mark.parametrize(("path", "expected"), DOCS.items())
def test_docs_pages_reference_no_other_host(client, path, expected):
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert set(expected) <= set(assets), assets
    assert all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    assert "cdn." not in page and "https://" not in page and "http://" not in page
    assert "/api/v1/openapi.json" in page


def test_docs_assets_are_among_our_static_files():
    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js",
                  "ninja/redoc.standalone.js"):
        assert finders.find(asset), asset


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("path", "selector"), [("/api/v1/docs", ".swagger-ui .info .title"),
                                                ("/api/v1/redoc", ".api-info h1")])
def test_docs_render_in_chromium_without_asking_any_other_host(page, live_server, path, selector):
    asked: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(path)
    page.wait_for_selector(selector)
    assert "thuvien API" in page.locator(selector).inner_text()
    page.wait_for_load_state("networkidle")
    sent = {urlsplit(u).netloc for u in asked if urlsplit(u).scheme in ("http", "https")}
    assert sent == {urlsplit(live_server.url).netloc}, asked
    assert errors == []
