import pytest
from django.urls import reverse

from thuvien.core.models import Role


@pytest.mark.django_db
def test_staff_login_page_is_vietnamese_by_default(client):
    response = client.get("/staff/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "<h1>Đăng nhập cán bộ thư viện</h1>" in html


@pytest.mark.django_db
def test_language_switch_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/staff/login/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Library staff login</h1>" in html


@pytest.mark.django_db
def test_public_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'role="search"' in response.content.decode()


def test_tree_and_audit_pages_for_district_manager(client, net, staff_factory):
    user = staff_factory("mgr_a", net.a, Role.LIBRARY_MANAGER)
    client.force_login(user)
    tree = client.get("/staff/network/").content.decode()
    assert tree.count('data-code="') == 4
    client.post("/staff/network/C/edit/", {"name": "Phòng đọc C mới", "kind": net.c.kind_id})
    audit = client.get("/staff/audit/").content.decode()
    assert "Phòng đọc C mới" in audit
    assert client.get("/staff/network/B/edit/").status_code == 403


def test_anonymous_user_is_sent_to_login(client, db):
    response = client.get("/staff/network/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_every_stylesheet_and_script_on_the_pages_is_served(client, db):
    """The pages' CSS and JS resolve through the static finders (WhiteNoise serves them)."""
    from django.contrib.staticfiles import finders

    html = client.get("/").content.decode() + client.get("/staff/login/").content.decode()
    import re

    assets = set(re.findall(r'(?:href|src)="/static/([^"]+)"', html))
    assert {"thuvien/site.css", "htmx.min.js"} <= assets
    for asset in assets:
        assert finders.find(asset) is not None, asset


def test_data_driven_names_follow_the_page_language(client, net, staff_factory):
    user = staff_factory("mgr_lang", net.a, Role.LIBRARY_MANAGER)
    client.force_login(user)
    assert "Phòng đọc xã/phường · C" in client.get("/staff/network/").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/staff/network/").content.decode()
    assert "Commune/ward reading room · C" in html and "Phòng đọc xã/phường" not in html
