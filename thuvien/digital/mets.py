"""METS 1.12.1 of a digital object after the DFG METS profile (as the DFG-Viewer and Kitodo read it).

- dmdSec: MODS from the catalogue record through the one crosswalk (`catalog.marc.crosswalk.mods_xml`);
  a standalone object carries its own Dublin Core Terms (same crosswalk's `dc_xml`).
- amdSec: rightsMD (dv:rights: owner, licence = the object's rights URI, access level) and
  digiprovMD (dv:links: the catalogue record and the IIIF manifest).
- fileSec: USE="MASTER" (the preservation copy in the OCFL object, sha256 and size; only for staff),
  USE="DEFAULT" (the IIIF Image API rendition of each page; made on request, so it carries no
  checksum) and USE="FULLTEXT" (ALTO, sha256 and size).
- structMap PHYSICAL (physSequence, one div TYPE="page" per page with ORDER and ORDERLABEL),
  structMap LOGICAL (the monograph) and the structLink between them.

Pages the viewer may not open (a stricter per-page level) are left out. Pure: the caller decides access.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from thuvien.catalog.marc.crosswalk import dc_xml, esc
from thuvien.digital.iiif import BASE

METS_NS = "http://www.loc.gov/METS/"
METS_XSD = "http://www.loc.gov/standards/mets/version1121/mets.xsd"
XLINK_NS = "http://www.w3.org/1999/xlink"
DV_NS = "http://dfg-viewer.de/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass
class MetsFile:
    href: str
    mime: str
    sha256: str = ""
    size: int = 0
    local: bool = False  # a path in the storage root, not a URL


@dataclass
class MetsPage:
    order: int
    label: str
    master: MetsFile | None
    default: MetsFile
    fulltext: MetsFile | None


def file_sha256(path: Path) -> tuple[str, int]:
    data = path.read_bytes()
    return hashlib.sha256(data).hexdigest(), len(data)


def _a(value: object) -> str:
    return quoteattr(str(value))


def _file(file_id: str, f: MetsFile) -> str:
    attrs = f"ID={_a(file_id)} MIMETYPE={_a(f.mime)}"
    if f.sha256:
        attrs += f' CHECKSUM={_a(f.sha256)} CHECKSUMTYPE="SHA-256" SIZE={_a(f.size)}'
    loc = ('LOCTYPE="OTHER" OTHERLOCTYPE="FILE"' if f.local else 'LOCTYPE="URL"')
    return f'<mets:file {attrs}><mets:FLocat {loc} xlink:href={_a(f.href)}/></mets:file>'


def build(*, obj_id: str, title: str, created: str, modified: str, library: str, rights: str, access: str,
          mods: str, pages: Sequence[MetsPage], record_url: str = "", manifest_url: str = "") -> str:
    """The METS document; `mods` is an already serialised <mods> (or oai_dc) element."""
    md_type = 'MDTYPE="MODS"' if mods.lstrip().startswith("<mods") else 'MDTYPE="DC"'
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<mets:mets xmlns:mets="{METS_NS}" xmlns:xlink="{XLINK_NS}" xmlns:dv="{DV_NS}" xmlns:xsi="{XSI_NS}" '
           f'xsi:schemaLocation="{METS_NS} {METS_XSD}" OBJID={_a(obj_id)} LABEL={_a(title[:500])} TYPE="monograph">',
           f'<mets:metsHdr CREATEDATE={_a(created)} LASTMODDATE={_a(modified)}>'
           f'<mets:agent ROLE="CREATOR" TYPE="ORGANIZATION"><mets:name>{esc(library)}</mets:name></mets:agent>'
           '<mets:agent ROLE="CREATOR" TYPE="OTHER" OTHERTYPE="SOFTWARE"><mets:name>thuvien</mets:name></mets:agent>'
           '</mets:metsHdr>',
           f'<mets:dmdSec ID="DMDLOG_0000"><mets:mdWrap {md_type}><mets:xmlData>{mods}</mets:xmlData>'
           '</mets:mdWrap></mets:dmdSec>',
           '<mets:amdSec ID="AMD">'
           '<mets:rightsMD ID="RIGHTS"><mets:mdWrap MDTYPE="OTHER" OTHERMDTYPE="DVRIGHTS"><mets:xmlData>'
           f'<dv:rights><dv:owner>{esc(library)}</dv:owner><dv:ownerSiteURL>{esc(BASE)}/</dv:ownerSiteURL>'
           f'<dv:license>{esc(rights)}</dv:license><dv:access>{esc(access)}</dv:access></dv:rights>'
           '</mets:xmlData></mets:mdWrap></mets:rightsMD>'
           '<mets:digiprovMD ID="DIGIPROV"><mets:mdWrap MDTYPE="OTHER" OTHERMDTYPE="DVLINKS"><mets:xmlData>'
           '<dv:links>' + (f'<dv:reference>{esc(record_url)}</dv:reference>' if record_url else "")
           + (f'<dv:presentation>{esc(manifest_url)}</dv:presentation>' if manifest_url else "")
           + '</dv:links></mets:xmlData></mets:mdWrap></mets:digiprovMD></mets:amdSec>']
    groups: list[tuple[str, str, list[str]]] = [("MASTER", "MASTER", []), ("DEFAULT", "DEFAULT", []),
                                                ("FULLTEXT", "FULLTEXT", [])]
    fptrs: dict[int, list[str]] = {}
    for p in pages:
        refs = fptrs.setdefault(p.order, [])
        for use, suffix, files in groups:
            f = {"MASTER": p.master, "DEFAULT": p.default, "FULLTEXT": p.fulltext}[use]
            if f is None:
                continue
            file_id = f"FILE_{p.order:04d}_{suffix}"
            files.append(_file(file_id, f))
            refs.append(file_id)
    out.append("<mets:fileSec>")
    out.extend(f'<mets:fileGrp USE="{use}">' + "".join(files) + "</mets:fileGrp>"
               for use, _suffix, files in groups if files)
    out.append("</mets:fileSec>")
    out.append('<mets:structMap TYPE="LOGICAL"><mets:div ID="LOG_0000" TYPE="monograph" DMDID="DMDLOG_0000" '
               f'ADMID="AMD" LABEL={_a(title[:500])}/></mets:structMap>')
    out.append('<mets:structMap TYPE="PHYSICAL"><mets:div ID="PHYS_0000" TYPE="physSequence">')
    for p in pages:
        out.append(f'<mets:div ID="PHYS_{p.order:04d}" TYPE="page" ORDER="{p.order}" ORDERLABEL={_a(p.label)}>'
                   + "".join(f'<mets:fptr FILEID="{fid}"/>' for fid in fptrs[p.order]) + "</mets:div>")
    out.append("</mets:div></mets:structMap>")
    out.append('<mets:structLink><mets:smLink xlink:from="LOG_0000" xlink:to="PHYS_0000"/>'
               + "".join(f'<mets:smLink xlink:from="LOG_0000" xlink:to="PHYS_{p.order:04d}"/>' for p in pages)
               + "</mets:structLink>")
    out.append("</mets:mets>")
    return "\n".join(out)


def standalone_dc(*, title: str, dcterms: dict[str, object], language: str) -> str:
    """The Dublin Core of an object without a catalogue record (through the crosswalk's DC writer)."""
    dc: dict[str, list[str]] = {"title": [title], "language": [language]}
    for key, value in (dcterms or {}).items():
        values = value if isinstance(value, list) else [value]
        dc.setdefault(str(key), []).extend(str(v) for v in values if v)
    return dc_xml(dc)
