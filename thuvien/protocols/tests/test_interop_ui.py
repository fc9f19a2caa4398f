"""The staff interconnection pages: SRU copy cataloguing from a second thuvien, harvest sources."""

from __future__ import annotations

import pytest
from django.urls import reverse

from thuvien.catalog.models import BibRecord
from thuvien.protocols.models import HarvestRun, HarvestSource, SRUTarget
from thuvien.protocols.sru.client import sru_search


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_copy_cataloguing_from_remote_sru(admin_client, net, remote):
    response = admin_client.post(reverse("staff:interop:target_add"), {
        "name": "Thư viện tỉnh Q", "url": f"http://127.0.0.1:{remote.port}/sru", "version": "1.2",
        "record_schema": "marcxml"})
    assert response.status_code == 302
    target = SRUTarget.objects.get()
    page = admin_client.get(reverse("staff:interop:copy"), {"target": target.pk, "q": 'dc.title = "truyen kieu"'})
    html = page.content.decode()
    assert "Truyện Kiều (tỉnh Q)" in html and "=001  QTV0001" in html and "1 biểu ghi" in html
    form = {"target": target.pk, "q": 'dc.title = "truyen kieu"', "position": 1, "library": net.b.pk,
            "match": "001"}
    admin_client.post(reverse("staff:interop:copy_import"), form)
    bib = BibRecord.objects.get(control_number="QTV0001")
    assert (bib.owner, bib.title) == (net.b, "Truyện Kiều (tỉnh Q)")
    again = admin_client.post(reverse("staff:interop:copy_import"), form, follow=True)
    assert "đã có trong mục lục" in again.content.decode()
    assert BibRecord.objects.filter(control_number="QTV0001").count() == 1


def test_copy_cataloguing_needs_cataloguing_rights(client, net, remote, staff_factory):
    desk = staff_factory("desk_b", net.b, "circulation")
    target = SRUTarget.objects.create(name="Q", url=f"http://127.0.0.1:{remote.port}/sru")
    client.force_login(desk)
    response = client.post(reverse("staff:interop:copy_import"), {
        "target": target.pk, "q": "dc.title = kieu", "position": 1, "library": net.b.pk}, follow=True)
    assert "không có quyền" in response.content.decode()
    assert not BibRecord.objects.filter(control_number="QTV0001").exists()


def test_source_pages_and_harvest_button(admin_client, net, remote, django_capture_on_commit_callbacks):
    response = admin_client.post(reverse("staff:interop:source_add"), {
        "code": "tinh-q", "name": "Tỉnh Q", "base_url": remote.oai_url, "metadata_prefix": "marc21", "set_spec": "",
        "library": net.b.pk,
        "schedule": "daily", "match": "001", "on_match": "overlay", "is_active": "on"})
    assert response.status_code == 302, response.content.decode()
    source = HarvestSource.objects.get(code="tinh-q")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("staff:interop:source_harvest", args=["tinh-q"]))
    run = HarvestRun.objects.get(source=source)
    assert response.url == reverse("staff:interop:run", args=[run.pk])
    html = admin_client.get(response.url).content.decode()
    assert "Hoàn tất" in html and "100%" in html
    assert BibRecord.objects.filter(owner=net.b).count() == 7
    home = admin_client.get(reverse("staff:interop:home")).content.decode()
    assert "Tỉnh Q" in home and "7 đã đọc, 7 mới" in home
    detail = admin_client.get(reverse("staff:interop:source", args=["tinh-q"])).content.decode()
    assert "Thu hoạch toàn bộ" in detail


@pytest.mark.django_db(transaction=True)
def test_sru_client_searches_our_own_server(live_server, sample_records, net):
    sample_records(net.a)
    result = sru_search(url=f"{live_server.url}/sru", query="dc.creator = \"nguyen du\"")
    assert result.total == 1 and result.records[0].title == "Truyện Kiều"
    assert result.records[0].record["001"].data == "TV0001"
    result = sru_search(url=f"{live_server.url}/sru", version="2.0", query="dc.nothing = 1")
    assert result.diagnostics == ["info:srw/diagnostic/1/16 Unsupported index (dc.nothing)"]


def test_demo_loader(net):
    import io

    from thuvien.protocols import demo

    out = io.StringIO()
    demo.load(network=net.province, stdout=out)
    assert SRUTarget.objects.get().url == "http://127.0.0.1:8000/sru"
    source = HarvestSource.objects.get()
    assert (source.base_url, source.set_spec, source.library) == ("http://127.0.0.1:8000/oai", "library:CB-TVT",
                                                                 net.province)
    assert "1 harvest source" in out.getvalue()
