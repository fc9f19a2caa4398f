"""The OAI-PMH harvester against a second thuvien (own database, own server process on loopback)."""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from thuvien.catalog.models import BibRecord
from thuvien.protocols.harvest.oai import fetch_page
from thuvien.protocols.harvest.services import (
    _store_page,
    harvest_run_execute,
    harvest_source_create,
    harvest_start,
)
from thuvien.protocols.models import HarvestedRecord, HarvestRun, HarvestSource


@pytest.fixture
def source(net, admin_user, remote):
    return harvest_source_create(actor=admin_user, code="tinh-q", name="Thư viện tỉnh Q", base_url=remote.oai_url,
                                 library=net.b)


def union_titles() -> list[str]:
    return sorted(BibRecord.objects.filter(is_deleted=False).values_list("title", flat=True))


def test_two_thuvien_union_catalogue(sample_records, net, admin_user, source, remote,
                                     django_capture_on_commit_callbacks):
    ours = sample_records(net.a)
    with django_capture_on_commit_callbacks(execute=True):  # the background job (immediate in tests)
        run = harvest_start(actor=admin_user, source=source)
    run.refresh_from_db()
    assert run.status == HarvestRun.Status.DONE, run.error
    assert (run.pages, run.records_seen, run.imported, run.complete_list_size) == (2, 7, 7, 7)
    assert run.percent == 100
    theirs = BibRecord.objects.filter(owner=net.b)
    assert sorted(theirs.values_list("control_number", flat=True)) == sorted(
        ["QEXTRA"] + [f"QTV000{i}" for i in range(1, 7)])
    assert BibRecord.objects.count() == len(ours) + 7
    assert "Truyện Kiều" in union_titles() and "Truyện Kiều (tỉnh Q)" in union_titles()
    assert HarvestedRecord.objects.filter(source=source).count() == 7
    source.refresh_from_db()
    assert source.last_datestamp == run.response_date and len(source.last_datestamp) == 20

    # incremental re-harvest: nothing new
    run2 = harvest_run_execute(run=harvest_start(actor=admin_user, source=source, background=False))
    assert (run2.status, run2.records_seen, run2.imported, run2.from_datestamp) == (
        HarvestRun.Status.DONE, 0, 0, source.last_datestamp)
    # full re-harvest: every record seen again, none added
    run3 = harvest_run_execute(run=harvest_start(actor=admin_user, source=source, full=True, background=False))
    assert (run3.records_seen, run3.imported, run3.unchanged) == (7, 0, 7)
    assert BibRecord.objects.count() == len(ours) + 7

    # a deletion at the source withdraws the record here
    time.sleep(1.1)
    remote.run("-m", "thuvien.protocols.tests.remote_seed", "delete")
    run4 = harvest_run_execute(run=harvest_start(actor=admin_user, source=source, background=False))
    assert (run4.records_seen, run4.deleted, run4.imported) == (1, 1, 0)
    gone = BibRecord.objects.get(control_number="QTV0002")
    assert gone.is_deleted and gone.owner == net.b
    assert "Đất rừng phương Nam (tỉnh Q)" not in union_titles()


def test_failed_page_resumes_from_its_token(net, admin_user, source, remote):
    run = harvest_start(actor=admin_user, source=source, background=False)
    first = fetch_page(remote.oai_url, {"verb": "ListRecords", "metadataPrefix": "marc21"})
    _store_page(run, source, first, admin_user)  # page 1 committed, then the server goes away
    assert run.resumption_token
    remote.stop()
    try:
        run = harvest_run_execute(run=run)
        assert run.status == HarvestRun.Status.FAILED and "Connection refused" in run.error
        assert run.resumption_token and run.records_seen == 4
    finally:
        remote.start()
    resumed = harvest_start(actor=admin_user, source=source, background=False)
    assert resumed.pk == run.pk
    resumed = harvest_run_execute(run=resumed)
    assert (resumed.status, resumed.pages, resumed.records_seen, resumed.imported) == (
        HarvestRun.Status.DONE, 2, 7, 7)
    assert BibRecord.objects.filter(owner=net.b).count() == 7


def test_harvest_command(net, admin_user, source, capsys):
    call_command("harvest", "tinh-q")
    out = capsys.readouterr().out
    assert "tinh-q: Hoàn tất - pages 2, records 7, imported 7" in out
    with pytest.raises(CommandError, match="no harvest source 'nope'"):
        call_command("harvest", "nope")
    assert HarvestSource.objects.get().last_datestamp
