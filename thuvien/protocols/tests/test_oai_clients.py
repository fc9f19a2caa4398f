"""Harvest the running provider with two OAI-PMH clients nobody on this project wrote: sickle, pyoai."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone
from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry, oai_dc_reader
from sickle import Sickle

from thuvien.catalog.models import BibRecord

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalogue(sample_records, net):
    made = sample_records(net.a) + sample_records(net.b, prefix="B") + sample_records(net.c, prefix="C")
    gone = [made[1], made[8]]
    BibRecord.objects.filter(pk__in=[b.pk for b in gone]).update(is_deleted=True, deleted_at=timezone.now())
    return made, {f"oai:p.thuvien:{b.pk}" for b in gone}


@override_settings(THUVIEN_OAI_PAGE_SIZE=4)
def test_sickle_harvests_every_record_once(live_server, catalogue):
    made, deleted = catalogue
    harvester = Sickle(f"{live_server.url}/oai", max_retries=0)
    got, tokens = [], set()
    records = harvester.ListRecords(metadataPrefix="marc21", ignore_deleted=False)
    for rec in records:
        got.append((rec.header.identifier, rec.header.deleted))
        if records.resumption_token and records.resumption_token.token:
            tokens.add(records.resumption_token.token)
    assert len(tokens) == 4  # 18 records in pages of 4: five pages, four tokens
    assert [i for i, _ in got] == [f"oai:p.thuvien:{b.pk}" for b in made]
    assert {i for i, d in got if d} == deleted
    live = harvester.ListRecords(metadataPrefix="oai_dc", ignore_deleted=True)
    titles = [r.metadata["title"][0] for r in live]
    assert len(titles) == 16 and titles[:3] == ["Truyện Kiều", "Số đỏ", "Dế Mèn phiêu lưu ký"]
    ident = harvester.Identify()
    assert ident.deletedRecord == "persistent" and ident.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert [s.setSpec for s in harvester.ListSets()][:3] == ["library", "library:P", "library:A"]


@override_settings(THUVIEN_OAI_PAGE_SIZE=5)
def test_pyoai_harvests_every_record_once(live_server, catalogue):
    made, deleted = catalogue
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    client = Client(f"{live_server.url}/oai", registry)
    assert client.identify().deletedRecord() == "persistent"
    seen = []
    for header, metadata, _about in client.listRecords(metadataPrefix="oai_dc"):
        seen.append(header.identifier())
        if header.isDeleted():
            assert metadata is None
        else:
            assert metadata.getField("title")
    assert seen == [f"oai:p.thuvien:{b.pk}" for b in made]
    marked = {h.identifier() for h in client.listIdentifiers(metadataPrefix="oai_dc") if h.isDeleted()}
    assert marked == deleted
    header, metadata, _ = client.getRecord(identifier=f"oai:p.thuvien:{made[0].pk}", metadataPrefix="oai_dc")
    assert metadata.getField("creator") == ["Nguyễn Du"]
    in_b = [h.identifier() for h in client.listIdentifiers(metadataPrefix="oai_dc", set="library:B")]
    assert in_b == [f"oai:p.thuvien:{b.pk}" for b in made[6:12]]


@override_settings(THUVIEN_OAI_PAGE_SIZE=2)
def test_sickle_walks_every_set_through_tokens(live_server, catalogue, net):
    harvester = Sickle(f"{live_server.url}/oai", max_retries=0)
    sets = harvester.ListSets()
    got, tokens = [], []
    for s in sets:
        got.append((s.setSpec, s.setName))
        token = sets.resumption_token
        if token is not None and token.token and token.token not in tokens:
            tokens.append(token.token)
    assert got == [("library", "Thư viện"), ("library:P", "Mạng lưới thư viện tỉnh P"),
                   ("library:A", "Thư viện huyện A"), ("library:C", "Phòng đọc xã C"),
                   ("library:B", "Thư viện huyện B"), ("type", "Loại tài liệu"), ("type:book", "book")]
    assert len(tokens) == 3  # 7 sets in pages of 2: four pages, three tokens
    assert (sets.resumption_token.cursor, sets.resumption_token.complete_list_size) == ("6", "7")
