"""GET /api/v1/records/{id} is registered once, and the OpenAPI file documents the route that answers."""

from django.test import Client
from django.urls import get_resolver

from thuvien.catalog import services
from thuvien.catalog.tests.fixtures import make_book


def _record_routes() -> list[str]:
    found = []

    def walk(patterns, prefix=""):  # type: ignore[no-untyped-def]
        for p in patterns:
            route = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, route)
            elif route.endswith("records/<record_id>"):
                found.append(route)
    walk(get_resolver().url_patterns)
    return found


def test_one_record_route_and_its_documented_shape_is_the_answer(net, cataloguer_a):
    assert _record_routes() == ["api/v1/records/<record_id>"]
    bib = services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    services.item_create(actor=cataloguer_a, record=bib, library=net.c, barcode="C9", item_type="book")
    client = Client()
    body = client.get(f"/api/v1/records/{bib.pk}").json()
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/records/{record_id}"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert ref.endswith("/RecordOut") and set(schema["properties"]) == set(body)
    copy_ref = schema["properties"]["holdings"]["items"]["$ref"]
    assert set(spec["components"]["schemas"][copy_ref.rsplit("/", 1)[-1]]["properties"]) == set(body["holdings"][0])
    assert (body["title"], body["main_author"], body["holdings"][0]["barcode"]) == (
        "Dế Mèn phiêu lưu ký", "Tô Hoài", "C9")
    assert body["marc"] == bib.marc
