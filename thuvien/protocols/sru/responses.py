"""SRU 1.2 and 2.0 response documents (explain, searchRetrieve, diagnostics) as strings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from thuvien.protocols.formats import esc
from thuvien.protocols.sru.translate import INDEX_TITLES

NS = {
    "1.2": ("zs", "http://www.loc.gov/zing/srw/", "diag", "http://www.loc.gov/zing/srw/diagnostic/"),
    "2.0": ("sru", "http://docs.oasis-open.org/ns/search-ws/sruResponse", "diag",
            "http://docs.oasis-open.org/ns/search-ws/diagnostic"),
}
DIAGNOSTIC_MESSAGES = {
    1: "General system error",
    4: "Unsupported operation",
    5: "Unsupported version",
    6: "Unsupported parameter value",
    7: "Mandatory parameter not supplied",
    8: "Unsupported parameter",
    10: "Query syntax error",
    16: "Unsupported index",
    19: "Unsupported relation",
    20: "Unsupported relation modifier",
    27: "Empty term unsupported",
    28: "Masking character not supported",
    36: "Term in invalid format for index or relation",
    37: "Unsupported boolean operator",
    40: "Unsupported proximity modifier",
    61: "First record position out of range",
    66: "Unknown schema for retrieval",
    71: "Unsupported record packing",
    80: "Sort not supported",
    110: "Stylesheets not supported",
    235: "Database does not exist",
}
EXPLAIN_NS = "http://explain.z3950.org/dtd/2.0/"
CONTEXT_SETS = (
    ("cql", "info:srw/cql-context-set/1/cql-v1.2"),
    ("dc", "info:srw/cql-context-set/1/dc-v1.1"),
    ("bath", "http://zing.z3950.org/cql/bath/2.0/"),
    ("rec", "info:srw/cql-context-set/2/rec-1.1"),
)


@dataclass(frozen=True)
class Diagnostic:
    number: int
    details: str = ""
    message: str = ""

    @property
    def uri(self) -> str:
        return f"info:srw/diagnostic/1/{self.number}"


@dataclass(frozen=True)
class Schema:
    name: str
    identifier: str
    title: str


SCHEMAS = (
    Schema("marcxml", "info:srw/schema/1/marcxml-v1.1", "MARC21 slim (MARCXML)"),
    Schema("dc", "info:srw/schema/1/dc-v1.1", "Dublin Core"),
    Schema("mods", "info:srw/schema/1/mods-v3.7", "MODS 3.7"),
)
SCHEMA_ALIASES = {"marc21": "marcxml", "marc": "marcxml", "http://www.loc.gov/marc21/slim": "marcxml",
                  "info:srw/schema/1/marcxml-v1.1-light": "marcxml", "oai_dc": "dc",
                  "http://www.loc.gov/mods/v3": "mods", "info:srw/schema/1/mods-v3.6": "mods"}


def schema_lookup(value: str) -> Schema | None:
    key = value.strip().lower()
    key = SCHEMA_ALIASES.get(key, key)
    for s in SCHEMAS:
        if key in (s.name, s.identifier.lower()):
            return s
    return None


def _diag_xml(version: str, diagnostics: Sequence[Diagnostic]) -> str:
    p, _, dp, dns = NS[version]
    items = "".join(
        f'<{dp}:diagnostic xmlns:{dp}="{dns}"><{dp}:uri>{d.uri}</{dp}:uri>'
        + (f"<{dp}:details>{esc(d.details)}</{dp}:details>" if d.details else "")
        + f"<{dp}:message>{esc(d.message or DIAGNOSTIC_MESSAGES.get(d.number, ''))}</{dp}:message>"
        f"</{dp}:diagnostic>"
        for d in diagnostics
    )
    return f"<{p}:diagnostics>{items}</{p}:diagnostics>" if diagnostics else ""


def _echo(version: str, operation: str, params: Mapping[str, str]) -> str:
    p = NS[version][0]
    tag = "echoedSearchRetrieveRequest" if operation == "searchRetrieve" else "echoedExplainRequest"
    inner = "".join(f"<{p}:{k}>{esc(v)}</{p}:{k}>" for k, v in params.items()
                    if k in ("version", "query", "startRecord", "maximumRecords", "recordPacking",
                             "recordSchema", "recordXMLEscaping", "queryType"))
    return f"<{p}:{tag}>{inner}</{p}:{tag}>"


def _doc(version: str, root: str, inner: str) -> str:
    p, ns, _, _ = NS[version]
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{p}:{root} xmlns:{p}="{ns}">{inner}</{p}:{root}>'


@dataclass(frozen=True)
class RecordOut:
    schema: Schema
    data: str  # the record XML
    position: int


def search_retrieve(*, version: str, total: int, records: Sequence[RecordOut], escaping: str,
                    next_position: int | None, diagnostics: Sequence[Diagnostic],
                    params: Mapping[str, str]) -> str:
    """A searchRetrieveResponse; `escaping` is "xml" or "string" (1.2 recordPacking / 2.0 recordXMLEscaping)."""
    p = NS[version][0]
    parts = [f"<{p}:version>{version}</{p}:version><{p}:numberOfRecords>{total}</{p}:numberOfRecords>"]
    if records:
        parts.append(f"<{p}:records>")
        packing_tag = "recordPacking" if version == "1.2" else "recordXMLEscaping"
        for r in records:
            data = r.data if escaping == "xml" else esc(r.data)
            parts.append(
                f"<{p}:record><{p}:recordSchema>{r.schema.identifier}</{p}:recordSchema>"
                f"<{p}:{packing_tag}>{escaping}</{p}:{packing_tag}>"
                f"<{p}:recordData>{data}</{p}:recordData><{p}:recordPosition>{r.position}</{p}:recordPosition>"
                f"</{p}:record>"
            )
        parts.append(f"</{p}:records>")
    if next_position:
        parts.append(f"<{p}:nextRecordPosition>{next_position}</{p}:nextRecordPosition>")
    parts.append(_echo(version, "searchRetrieve", params))
    parts.append(_diag_xml(version, diagnostics))
    return _doc(version, "searchRetrieveResponse", "".join(parts))


# Indexes results can be sorted by (CQL sortBy, SRU 1.x sortKeys): see translate.sort_name.
SORTABLE = frozenset(("dc.title", "dc.creator", "dc.date"))
_SORT_ATTR = ' sort="true"'


def explain(*, version: str, host: str, port: int, database: str, title: str, escaping: str,
            diagnostics: Sequence[Diagnostic], params: Mapping[str, str]) -> str:
    """An explainResponse carrying a ZeeRex 2.0 record for this database."""
    p = NS[version][0]
    sets = "".join(f'<set name="{n}" identifier="{i}"/>' for n, i in CONTEXT_SETS)
    indexes = "".join(
        f"<index{_SORT_ATTR if name in SORTABLE else ''}><title>{esc(t)}</title>"
        f"<map><name set=\"{name.split('.')[0]}\">{name.split('.', 1)[1]}</name></map></index>"
        for name, t in INDEX_TITLES.items()
    )
    schemas = "".join(f'<schema identifier="{s.identifier}" name="{s.name}"><title>{esc(s.title)}</title></schema>'
                      for s in SCHEMAS)
    record = (
        f'<explain xmlns="{EXPLAIN_NS}"><serverInfo protocol="SRU" version="{version}">'
        f"<host>{esc(host)}</host><port>{port}</port><database>{esc(database)}</database></serverInfo>"
        f'<databaseInfo><title lang="vi" primary="true">{esc(title)}</title>'
        "<description lang=\"vi\">Mục lục liên hợp thuvien: tìm bằng CQL, không phân biệt dấu tiếng Việt."
        "</description></databaseInfo>"
        f"<indexInfo>{sets}{indexes}</indexInfo><schemaInfo>{schemas}</schemaInfo>"
        '<configInfo><default type="numberOfRecords">10</default>'
        '<setting type="maximumRecords">100</setting>'
        '<default type="contextSet">dc</default><default type="index">cql.serverChoice</default>'
        '<default type="relation">=</default><supports type="relation">=</supports>'
        '<supports type="relation">==</supports><supports type="relation">all</supports>'
        '<supports type="relation">any</supports><supports type="relation">adj</supports>'
        '<supports type="relation">&lt;</supports><supports type="relation">&gt;</supports>'
        '<supports type="relation">&lt;=</supports><supports type="relation">&gt;=</supports>'
        '<supports type="relation">within</supports><supports type="booleanModifier">prox</supports>'
        '<supports type="maskingCharacter">*</supports><supports type="sort"/></configInfo></explain>'
    )
    packing_tag = "recordPacking" if version == "1.2" else "recordXMLEscaping"
    data = record if escaping == "xml" else esc(record)
    inner = (
        f"<{p}:version>{version}</{p}:version><{p}:record><{p}:recordSchema>{EXPLAIN_NS}</{p}:recordSchema>"
        f"<{p}:{packing_tag}>{escaping}</{p}:{packing_tag}><{p}:recordData>{data}</{p}:recordData>"
        f"<{p}:recordPosition>1</{p}:recordPosition></{p}:record>"
        + _echo(version, "explain", params) + _diag_xml(version, diagnostics)
    )
    return _doc(version, "explainResponse", inner)
