"""The SRU server through Django's test client, and through the real yaz-client over HTTP."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from thuvien.protocols.search_adapter import search_records

ZS = {"zs": "http://www.loc.gov/zing/srw/", "diag": "http://www.loc.gov/zing/srw/diagnostic/",
      "m": "http://www.loc.gov/MARC21/slim", "dc": "http://purl.org/dc/elements/1.1/",
      "sru": "http://docs.oasis-open.org/ns/search-ws/sruResponse",
      "d2": "http://docs.oasis-open.org/ns/search-ws/diagnostic", "ex": "http://explain.z3950.org/dtd/2.0/"}


def sru(client, path="/sru", **params):
    response = client.get(path, params)
    assert response.status_code == 200
    return ET.fromstring(response.content)


def diagnostics(root, ns="diag") -> list[str]:
    return [d.text.rsplit("/", 1)[1] for d in root.iter("{%s}uri" % ZS[ns])]  # noqa: UP031


def control_numbers(root) -> list[str]:
    return [c.text for c in root.iter("{%s}controlfield" % ZS["m"]) if c.get("tag") == "001"]  # noqa: UP031


@pytest.fixture
def records(sample_records, net):
    made = sample_records(net.a) + sample_records(net.b, prefix="B")
    return made


def search(client, query, path="/sru", **extra):
    params = {"version": "1.2", "operation": "searchRetrieve", "query": query, "recordSchema": "marcxml",
              "maximumRecords": "10", **extra}
    return sru(client, path, **params)


@pytest.mark.parametrize(("query", "expected"), [
    ('dc.title = "truyen kieu"', ["TV0001", "BTV0001"]),
    ("dc.title = truyện", ["TV0001", "TV0005", "BTV0001", "BTV0005"]),
    ("dc.title adj \"dat rung\" and dc.date >= 2000", ["TV0002", "BTV0002"]),
    ("dc.creator any \"hoai cao\"", ["TV0004", "TV0005", "BTV0004", "BTV0005"]),
    ("dc.date < 1950", ["TV0003", "TV0004", "BTV0003", "BTV0004"]),
    ("dc.date within \"1990 2005\"", ["TV0001", "TV0005", "BTV0001", "BTV0005"]),
    ("dc.subject = \"thieu nhi\" not dc.publisher = \"kim dong\"", []),
    ("rec.identifier == TV0003", ["TV0003"]),
    ("bath.isbn = 9786042000025", ["TV0004", "BTV0004"]),
    ("dc.identifier = TV0006", ["TV0006"]),
    ("cao and (bang or xyz)", ["TV0006", "BTV0006"]),
    ("dc.title = dế*", ["TV0004", "BTV0004"]),
])
def test_search_retrieve_queries(client, records, query, expected):
    root = search(client, query)
    assert diagnostics(root) == []
    assert sorted(control_numbers(root)) == sorted(expected)
    assert root.findtext("zs:numberOfRecords", namespaces=ZS) == str(len(expected))


def test_library_database_path_scopes(client, records):
    root = search(client, 'dc.title = "truyen kieu"', path="/sru/B")
    assert control_numbers(root) == ["BTV0001"]
    root = search(client, 'dc.title = "truyen kieu"', path="/sru/NOPE")
    assert diagnostics(root) == ["235"]


def test_paging_and_next_position(client, records):
    root = search(client, "cql.allRecords = 1", startRecord="5", maximumRecords="4")
    assert root.findtext("zs:numberOfRecords", namespaces=ZS) == "12"
    assert [p.text for p in root.iter("{%s}recordPosition" % ZS["zs"])] == ["5", "6", "7", "8"]  # noqa: UP031
    assert root.findtext("zs:nextRecordPosition", namespaces=ZS) == "9"
    root = search(client, "cql.allRecords = 1", startRecord="13")
    assert diagnostics(root) == ["61"]


def test_dc_schema_and_string_packing(client, records):
    root = search(client, "rec.identifier == TV0001", recordSchema="dc")
    assert [t.text for t in root.iter("{%s}title" % ZS["dc"])] == ["Truyện Kiều"]  # noqa: UP031
    root = search(client, "rec.identifier == TV0001", recordPacking="string")
    data = root.find("zs:records/zs:record/zs:recordData", ZS)
    assert len(data) == 0 and data.text.startswith("<record xmlns=")
    assert ET.fromstring(data.text).find("m:controlfield[@tag='001']", ZS).text == "TV0001"


@pytest.mark.parametrize(("params", "number"), [
    ({"query": "dc.nothing = x"}, "16"),
    ({"query": "dc.title = (kieu"}, "10"),
    ({"query": "dc.title = kieu", "recordSchema": "unimarc"}, "66"),
    ({"query": "dc.title = kieu", "startRecord": "0"}, "6"),
    ({"query": "dc.title = kieu", "maximumRecords": "many"}, "6"),
    ({"query": ""}, "7"),
    ({"query": "dc.title = kieu", "operation": "scan"}, "4"),
    ({"query": "dc.title = kieu", "version": "3.0"}, "5"),
    ({"query": "dc.title = kieu", "recordPacking": "zip"}, "71"),
    ({"query": "dc.title < kieu"}, "19"),
    ({"query": "dc.date = soon"}, "36"),
    ({"query": "dc.title = kieu sortby dc.subject"}, "88"),
    ({"query": "dc.title = kieu sortby dc.title/sort.descending"}, "90"),
    ({"query": "dc.title = kieu sortby dc.title dc.date"}, "84"),
    ({"query": "dc.title = kieu sortby dc.title/respectCase"}, "91"),
    ({"query": "dc.title = kieu sortby dc.date/missingOmit"}, "92"),
    ({"query": "dc.title = kieu", "sortKeys": "dc.date,onix"}, "87"),
    ({"query": "dc.title = kieu", "sortKeys": "dc.date,,1,1"}, "91"),
    ({"query": "dc.title = kieu", "sortKeys": "dc.date,,2"}, "90"),
    ({"query": "dc.title = kieu", "bogus": "1"}, "8"),
])
def test_diagnostics(client, records, params, number):
    root = sru(client, **{"version": "1.2", "operation": "searchRetrieve", **params})
    assert number in diagnostics(root)


@pytest.mark.parametrize(("sort", "expected"), [
    ({"query": 'dc.publisher = "van hoc" sortby dc.date'}, ["TV0003", "TV0001", "TV0005"]),
    ({"query": 'dc.publisher = "van hoc" sortby dc.date/sort.descending'}, ["TV0005", "TV0001", "TV0003"]),
    ({"query": 'dc.publisher = "van hoc" sortby dc.title'}, ["TV0003", "TV0001", "TV0005"]),  # Số < Truyện K < Truyện n
    ({"query": 'dc.publisher = "van hoc" sortby dc.creator/ignoreCase'}, ["TV0005", "TV0001", "TV0003"]),  # Nam < Nguyễn < Vũ
    ({"query": 'dc.publisher = "van hoc"', "sortKeys": "dc.date,,0"}, ["TV0005", "TV0001", "TV0003"]),  # SRU 1.1/1.2
    ({"query": 'dc.publisher = "van hoc"', "sortKeys": "title"}, ["TV0003", "TV0001", "TV0005"]),
])
def test_sorted_results(client, records, sort, expected):
    root = search(client, **sort)
    assert diagnostics(root) == []
    numbers = [n.removeprefix("B") for n in control_numbers(root)]  # each title is held twice (A and B)
    assert numbers == [n for n in expected for _copy in (1, 2)]


def test_sortby_in_the_query_prevails_over_sortkeys(client, records):
    root = search(client, 'dc.publisher = "van hoc" sortby dc.date', sortKeys="dc.title")
    assert diagnostics(root) == ["94"]
    assert [n.removeprefix("B") for n in control_numbers(root)][::2] == ["TV0003", "TV0001", "TV0005"]


def test_explain_lists_indexes_and_schemas(client, db):
    root = sru(client, version="1.2", operation="explain")
    ex = root.find("zs:record/zs:recordData/ex:explain", ZS)
    names = [f"{n.get('set')}.{n.text}" for n in ex.iter("{%s}name" % ZS["ex"])]  # noqa: UP031
    assert {"dc.title", "dc.creator", "bath.isbn", "rec.identifier", "cql.anywhere"} <= set(names)
    assert [s.get("name") for s in ex.iter("{%s}schema" % ZS["ex"])] == ["marcxml", "dc", "mods"]  # noqa: UP031
    sortable = [f"{i.find('ex:map/ex:name', ZS).get('set')}.{i.find('ex:map/ex:name', ZS).text}"
                for i in ex.iter("{%s}index" % ZS["ex"]) if i.get("sort") == "true"]  # noqa: UP031
    assert sorted(sortable) == ["dc.creator", "dc.date", "dc.title"]
    assert ex.find("ex:configInfo/ex:supports[@type='sort']", ZS) is not None


def test_sru_2_0_and_post(client, records):
    root = sru(client, query='dc.title = "truyen kieu"', recordSchema="marcxml")  # no version: 2.0
    assert root.tag == "{%s}searchRetrieveResponse" % ZS["sru"]  # noqa: UP031
    assert root.findtext("sru:numberOfRecords", namespaces=ZS) == "2"
    assert root.findtext("sru:records/sru:record/sru:recordXMLEscaping", namespaces=ZS) == "xml"
    bad = sru(client, version="2.0", query="dc.unknown = x")
    assert diagnostics(bad, "d2") == ["16"]
    response = client.post("/sru", {"version": "1.2", "operation": "searchRetrieve", "query": "dc.title = so",
                                    "recordSchema": "marcxml"})
    assert control_numbers(ET.fromstring(response.content)) == ["TV0003", "BTV0003"]


def test_search_adapter_total(records, net):
    from thuvien.search.query import Term
    assert search_records(query=Term("title", "kieu"), library=net.a, offset=0, limit=10).total == 1


# ---- the real yaz-client --------------------------------------------------------------------------

def yaz(commands: list[str]) -> str:
    """Feed commands to yaz-client on stdin and return what it printed (bounded by a timeout)."""
    done = subprocess.run(["yaz-client"], input="\n".join([*commands, "quit", ""]), capture_output=True,
                          text=True, timeout=60, check=False)
    return done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("yaz-client") is None, reason="yaz-client (Debian package yaz) is absent")
@pytest.mark.django_db(transaction=True)
def test_yaz_client_over_sru(live_server, sample_records, net):
    sample_records(net.a)
    url = f"{live_server.url}/sru"
    out = yaz(["sru get 1.2", f"open {url}", "querytype cql", 'find dc.title = "truyen kieu"',
               "elements marcxml", "show 1"])
    assert re.search(r"Number of hits: 1\b", out), out
    assert re.search(r'<controlfield tag="001">TV0001</controlfield>', out), out
    out = yaz(["sru get 1.2", f"open {url}", "querytype cql", 'find dc.nothing = "truyen kieu"'])
    assert "info:srw/diagnostic/1/16" in out or "Unsupported index" in out, out
