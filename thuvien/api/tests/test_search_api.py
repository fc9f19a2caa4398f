"""The search API: JSON shape, scope, paging, readable 422s, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def api(vn_catalogue):
    return Client(raise_request_exception=False)


def test_search_returns_the_documented_shape(api, vn_catalogue):
    r = api.get("/api/v1/search", {"q": "mat biec"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 1
    rec = vn_catalogue["matbiec"]
    assert body["results"] == [{
        "id": rec.pk, "control_number": "VN00003", "title": "Mắt biếc", "authors": ["Nguyễn Nhật Ánh"],
        "year": 1990, "material_type": "book",
        "availability": {"total": 1, "available": 1, "scope": None},
        "highlights": {"title": "<mark>Mắt</mark> <mark>biếc</mark>", "author": "Nguyễn Nhật Ánh"},
    }]
    assert dict(body["facets"]["library"]) == {"B": 1}
    assert set(body["facets"]) == {"author", "library", "material_type", "language", "year", "subject", "ddc_hundreds",
                                   "ddc_tens", "availability"}


def test_scope_paging_and_sort(api, vn_catalogue):
    body = api.get("/api/v1/search", {"q": "", "library": "a", "sort": "title", "size": 2, "page": 2}).json()
    assert body["total"] == 5
    assert [r["title"] for r in body["results"]] == ["Đất rừng phương Nam", "Mặt trời mọc"]
    kieu = api.get("/api/v1/search", {"q": "truyen kieu", "library": "A"}).json()["results"][0]
    assert kieu["availability"] == {"total": 1, "available": 1, "scope": "A"}
    kieu = api.get("/api/v1/search", {"q": "truyen kieu"}).json()["results"][0]
    assert kieu["availability"] == {"total": 2, "available": 1, "scope": None}


def test_filters(api, vn_catalogue):
    body = api.get("/api/v1/search", {"q": "nguyen", "language": "eng"}).json()
    assert [r["title"] for r in body["results"]] == ["The tale of Kieu"]
    body = api.get("/api/v1/search?q=nguyen&year=1990&year=1983&sort=oldest").json()
    assert [r["year"] for r in body["results"]] == [1983, 1990, 1990]


@pytest.mark.parametrize("params, fragment", [
    ({"q": '"Nam Cao'}, "ngoặc kép"),
    ({"q": "kieu", "library": "NOPE"}, "NOPE"),
    ({"q": "kieu", "sort": "random"}, "sort"),
    ({"q": "kieu", "page": "0"}, "page"),
    ({"q": "kieu", "page": "abc"}, "page"),
    ({"q": "kieu", "size": "1000"}, "size"),
    ({"q": "kieu", "year": "x"}, "year"),
    ({"q": "nam:abc"}, "Năm không hợp lệ"),
])
def test_malformed_parameters_get_a_readable_422(api, params, fragment):
    r = api.get("/api/v1/search", params)
    assert r.status_code == 422
    import json

    assert fragment in json.dumps(r.json(), ensure_ascii=False)


def test_record_with_holdings(api, vn_catalogue):
    rec = vn_catalogue["kieu"]
    r = api.get(f"/api/v1/records/{rec.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["title"] == "Truyện Kiều" and body["control_number"] == "VN00001"
    assert body["isbns"] == ["9786041085251"]
    assert [(h["library"], h["status"], h["status_label"]) for h in body["holdings"]] == [
        ("A", "available", "Sẵn sàng"), ("B", "on_loan", "Đang cho mượn")]
    assert body["marc"]["fields"]


def test_record_missing_or_deleted_is_404(api, vn_catalogue):
    assert api.get(f"/api/v1/records/{vn_catalogue['deleted'].pk}").status_code == 404
    assert api.get("/api/v1/records/999999").status_code == 404
    assert api.get("/api/v1/records/abc").status_code == 422


def test_autocomplete(api, vn_catalogue):
    body = api.get("/api/v1/search/suggest", {"q": "dat ru"}).json()
    assert body[0] == {"text": "Đất rừng phương Nam", "kind": "title"}
    body = api.get("/api/v1/search/suggest", {"q": "nguyen nh"}).json()
    assert {"text": "Nguyễn Nhật Ánh", "kind": "author"} in body


def test_openapi_lists_search(api):
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/search" in paths and "/api/v1/records/{record_id}" in paths
