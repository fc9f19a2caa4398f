"""SRU request handling: parameters in, a response document out (diagnostics, never exceptions)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from thuvien.catalog.models import BibRecord
from thuvien.core.models import OrgUnit
from thuvien.protocols import formats
from thuvien.protocols.search_adapter import search_records
from thuvien.protocols.sru import responses
from thuvien.protocols.sru.cql import CQLSyntaxError, parse_cql
from thuvien.protocols.sru.responses import Diagnostic, RecordOut, Schema
from thuvien.protocols.sru.translate import CQLDiagnostic, cql_sort, cql_to_query, sort_name, sortkeys_param

SUPPORTED_VERSIONS = ("1.1", "1.2", "2.0")
DEFAULT_MAXIMUM = 10
MAXIMUM_RECORDS = 100
COMMON_PARAMS = {"operation", "version", "recordPacking", "stylesheet", "extraRequestData", "httpAccept",
                 "recordXMLEscaping", "responseType"}
SEARCH_PARAMS = COMMON_PARAMS | {"query", "queryType", "startRecord", "maximumRecords", "recordSchema",
                                 "resultSetTTL", "sortKeys", "recordXPath", "renderedBy"}


class _Fatal(Exception):  # noqa: N818
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.number)
        self.diagnostic = diagnostic


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    database: str  # "sru" or "sru/<library code>"
    library_code: str = ""


def _int_param(params: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise _Fatal(Diagnostic(6, name, f"Unsupported parameter value: {name}={raw}"))
    return int(raw)


def _render(schema: Schema, marc: dict) -> str:
    if schema.name == "marcxml":
        return formats.marcxml(marc)
    if schema.name == "mods":
        return formats.mods_xml(marc)
    return formats.srw_dc(marc)


def handle(params: Mapping[str, str], endpoint: Endpoint) -> str:
    """The SRU response for one request's parameters (first value of each)."""
    version = params.get("version", "").strip()
    diagnostics: list[Diagnostic] = []
    operation = params.get("operation", "").strip()
    if version and version not in SUPPORTED_VERSIONS:
        out_version = "1.2"
        diagnostics.append(Diagnostic(5, "1.2", f"Unsupported version {version}; supported: 1.1, 1.2, 2.0"))
    else:
        out_version = "2.0" if version == "2.0" or (not version and not operation) else "1.2"
    if not operation:
        operation = "searchRetrieve" if "query" in params else "explain"
    if out_version == "2.0":
        escaping = params.get("recordXMLEscaping", "xml").strip() or "xml"
        packing_param = "recordXMLEscaping"
    else:
        escaping = params.get("recordPacking", "xml").strip() or "xml"
        packing_param = "recordPacking"
    if escaping not in ("xml", "string"):
        diagnostics.append(Diagnostic(71, escaping, f"Unsupported {packing_param}"))
        escaping = "xml"
    if "stylesheet" in params:
        diagnostics.append(Diagnostic(110, params["stylesheet"]))
    library = None
    if endpoint.library_code:
        library = OrgUnit.objects.filter(code=endpoint.library_code, is_active=True).first()
        if library is None:
            diagnostics.append(Diagnostic(235, endpoint.library_code))
    fatal = any(d.number in (5, 235, 110) for d in diagnostics)
    if operation == "explain" and not fatal:
        title = library.name if library else "thuvien"
        return responses.explain(version=out_version, host=endpoint.host, port=endpoint.port,
                                 database=endpoint.database, title=title, escaping=escaping,
                                 diagnostics=diagnostics, params=params)
    if operation != "searchRetrieve" and operation != "explain":
        diagnostics.append(Diagnostic(4, operation))
    if any(d.number not in (71,) for d in diagnostics):
        return responses.search_retrieve(version=out_version, total=0, records=[], escaping=escaping,
                                         next_position=None, diagnostics=diagnostics, params=params)
    try:
        return _search_retrieve(params, version=out_version, escaping=escaping, library=library,
                                diagnostics=diagnostics)
    except _Fatal as exc:
        return responses.search_retrieve(version=out_version, total=0, records=[], escaping=escaping,
                                         next_position=None, diagnostics=[*diagnostics, exc.diagnostic],
                                         params=params)


def _search_retrieve(params: Mapping[str, str], *, version: str, escaping: str, library: OrgUnit | None,
                     diagnostics: list[Diagnostic]) -> str:
    for name in params:
        if name not in SEARCH_PARAMS and not name.startswith("x-"):
            raise _Fatal(Diagnostic(8, name))
    if "recordXPath" in params:
        raise _Fatal(Diagnostic(72, "recordXPath", "XPath retrieval unsupported"))
    query_text = params.get("query", "")
    if not query_text.strip():
        raise _Fatal(Diagnostic(7, "query"))
    query_type = params.get("queryType", "cql").strip().lower() or "cql"
    if query_type != "cql":
        raise _Fatal(Diagnostic(6, "queryType", f"Unsupported queryType {query_type}"))
    start = _int_param(params, "startRecord", 1, 1)
    maximum = min(_int_param(params, "maximumRecords", DEFAULT_MAXIMUM, 0), MAXIMUM_RECORDS)
    schema = responses.schema_lookup(params.get("recordSchema", "") or "marcxml")
    if schema is None:
        raise _Fatal(Diagnostic(66, params.get("recordSchema", "")))
    try:
        cql = parse_cql(query_text)
        tree = cql_to_query(cql)
        wanted = cql_sort(cql.sort_keys)
        if params.get("sortKeys"):
            if wanted:  # both: the query's sortBy prevails (SRU 2.0 diagnostic 94, not fatal)
                diagnostics.append(Diagnostic(94, "sortKeys", "Sort spec included both in query and protocol: "
                                                            "query prevails"))
            else:
                wanted = sortkeys_param(params["sortKeys"])
        sort = sort_name(wanted)
    except CQLSyntaxError as exc:
        raise _Fatal(Diagnostic(10, str(exc), "Query syntax error")) from exc
    except CQLDiagnostic as exc:
        raise _Fatal(Diagnostic(exc.number, exc.details, exc.message)) from exc
    found = search_records(query=tree, library=library, offset=start - 1, limit=maximum, sort=sort)
    if found.total and start > found.total:
        return responses.search_retrieve(
            version=version, total=found.total, records=[], escaping=escaping, next_position=None,
            diagnostics=[*diagnostics, Diagnostic(61, str(start))], params=params)
    marcs = dict(BibRecord.objects.filter(pk__in=found.ids, is_deleted=False).values_list("pk", "marc"))
    records = [RecordOut(schema=schema, data=_render(schema, marcs[pk]), position=start + i)
               for i, pk in enumerate(found.ids) if pk in marcs]
    end = start + len(found.ids)
    next_position = end if maximum and end <= found.total else None
    return responses.search_retrieve(version=version, total=found.total, records=records, escaping=escaping,
                                     next_position=next_position, diagnostics=diagnostics, params=params)
