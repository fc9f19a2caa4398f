"""The record formats SRU and OAI-PMH serve, by their protocol names. No mapping lives here: MARCXML,
Dublin Core and MODS all come from `thuvien.catalog.marc.crosswalk`, the one crosswalk that export
and the record downloads use too (so a record's oai_dc is its "download as DC")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from thuvien.catalog.marc.crosswalk import (
    DC_NS,
    MARC_NS,
    MARC_SCHEMA,
    MODS_NS,
    MODS_SCHEMA,
    OAI_DC_NS,
    OAI_DC_SCHEMA,
    SRW_DC_NS,
    XSI_NS,
    control_number,
    dc_xml,
    dublin_core,
    esc,
    marcxml,
    mods_xml,
    to_dc_xml,
)

__all__ = ["DC_NS", "MARC_NS", "MARC_SCHEMA", "MODS_NS", "MODS_SCHEMA", "OAI_DC_NS", "OAI_DC_SCHEMA", "SRW_DC_NS",
           "XSI_NS", "control_number", "esc", "marcxml", "mods_xml", "oai_dc", "srw_dc"]


def oai_dc(marc: Mapping[str, Any]) -> str:
    """OAI-PMH's oai_dc metadata of a record (MARC-in-JSON)."""
    return to_dc_xml(marc)


def srw_dc(marc: Mapping[str, Any]) -> str:
    """SRU's "dc" record schema: the same Dublin Core in a <srw_dc:dc> element."""
    return dc_xml(dublin_core(marc), root="srw_dc")
