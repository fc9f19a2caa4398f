"""The API documentation loads its scripts and styles from our own static files, never from a CDN."""

import re

from django.contrib.staticfiles import finders


def test_swagger_page_uses_local_static_files(client):
    page = client.get("/api/v1/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/ninja/swagger-ui-bundle.js" in assets and "/static/ninja/swagger-ui.css" in assets
    assert all(a.startswith("/") for a in assets), assets
    assert "cdn." not in page and "https://" not in page
    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js",
                  "ninja/redoc.standalone.js"):
        assert finders.find(asset), asset
