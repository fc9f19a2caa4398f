"""IIIF Presentation 3.0 manifests and Content Search 2.0 / 1.0 answers, as plain dicts.

URLs are built on BASE (a placeholder) so one cached manifest serves every host name; the view
replaces it with the request's own base URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson

from thuvien.core.text import fold

BASE = "https://thuvien.invalid"
PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
SEARCH2_CONTEXT = "http://iiif.io/api/search/2/context.json"
ALTO_PROFILE = "http://www.loc.gov/standards/alto/ns-v3#"
MAX_HITS = 1000
_PUNCT = re.compile(r"^\W+|\W+$")


def lang_map(value: str, lang: str = "vi") -> dict[str, list[str]]:
    return {lang: [value]}


def manifest_id(obj_uuid: str) -> str:
    return f"{BASE}/iiif/{obj_uuid}/manifest"


def canvas_id(obj_uuid: str, order: int) -> str:
    return f"{BASE}/iiif/{obj_uuid}/canvas/{order}"


def image_service(page_uuid: str) -> str:
    return f"{BASE}/iiif/3/{page_uuid}"


def build_manifest(*, obj: dict[str, Any], pages: Sequence[dict[str, Any]], metadata: list[tuple[str, str]],
                   ranges: Iterable[tuple[str, int]] = ()) -> dict[str, Any]:
    """A Presentation 3.0 manifest for one object: `obj` has uuid, title, rights, right_to_left,
    has_pdf, record_id, library; `pages` has uuid, order, label, width, height, has_ocr."""
    u = str(obj["uuid"])
    canvases = []
    for p in pages:
        cid = canvas_id(u, p["order"])
        svc = image_service(str(p["uuid"]))
        w, h = p["width"] or 1000, p["height"] or 1400
        canvas: dict[str, Any] = {
            "id": cid, "type": "Canvas", "label": lang_map(_page_label(p)), "width": w, "height": h,
            "thumbnail": [{"id": f"{svc}/full/,200/0/default.jpg", "type": "Image", "format": "image/jpeg",
                           "service": [{"id": svc, "type": "ImageService3", "profile": "level2"}]}],
            "items": [{"id": f"{cid}/page", "type": "AnnotationPage", "items": [{
                "id": f"{cid}/page/image", "type": "Annotation", "motivation": "painting", "target": cid,
                "body": {"id": f"{svc}/full/max/0/default.jpg", "type": "Image", "format": "image/jpeg",
                         "width": w, "height": h,
                         "service": [{"id": svc, "type": "ImageService3", "profile": "level2"}]},
            }]}],
        }
        if p.get("has_ocr"):
            canvas["seeAlso"] = [
                {"id": f"{BASE}/iiif/{u}/alto/{p['order']}", "type": "Dataset", "format": "application/xml",
                 "profile": ALTO_PROFILE, "label": lang_map("ALTO")},
                {"id": f"{BASE}/iiif/{u}/hocr/{p['order']}", "type": "Dataset", "format": "text/vnd.hocr+html",
                 "profile": "http://kba.cloud/hocr-spec/1.2/", "label": lang_map("hOCR")},
            ]
        canvases.append(canvas)
    manifest: dict[str, Any] = {
        "@context": PRESENTATION_CONTEXT,
        "id": manifest_id(u),
        "type": "Manifest",
        "label": lang_map(obj["title"]),
        "metadata": [{"label": lang_map(k), "value": lang_map(v)} for k, v in metadata if v],
        "rights": obj["rights"],
        "requiredStatement": {"label": lang_map("Ghi công"), "value": lang_map(obj["library"])},
        "behavior": ["paged"],
        "viewingDirection": "right-to-left" if obj["right_to_left"] else "left-to-right",
        "provider": [{"id": f"{BASE}/", "type": "Agent", "label": lang_map(obj["library"])}],
        "homepage": [{"id": f"{BASE}/digital/{u}/", "type": "Text", "label": lang_map(obj["title"]),
                      "format": "text/html"}],
        "service": [
            {"id": f"{BASE}/iiif/{u}/search2", "type": "SearchService2",
             "service": [{"id": f"{BASE}/iiif/{u}/autocomplete2", "type": "AutoCompleteService2"}]},
            {"@id": f"{BASE}/iiif/{u}/search1", "@type": "SearchService1",
             "profile": "http://iiif.io/api/search/1/search"},
        ],
        "items": canvases,
    }
    if canvases:
        manifest["thumbnail"] = canvases[0]["thumbnail"]
    if obj["has_pdf"]:
        manifest["rendering"] = [{"id": f"{BASE}/digital/{u}/pdf", "type": "Text", "format": "application/pdf",
                                  "label": lang_map("Tải PDF")}]
    if obj.get("record_id"):
        manifest["seeAlso"] = [{"id": f"{BASE}/record/{obj['record_id']}/export/dc", "type": "Dataset",
                                "format": "application/xml", "profile": "http://purl.org/dc/elements/1.1/"}]
    structures = [{"id": f"{BASE}/iiif/{u}/range/{n}", "type": "Range", "label": lang_map(label),
                   "items": [{"id": canvas_id(u, order), "type": "Canvas"}]}
                  for n, (label, order) in enumerate(ranges, 1)]
    if structures:
        manifest["structures"] = structures
    return manifest


def _page_label(page: dict[str, Any]) -> str:
    return f"Trang {page['label'] or page['order']}"


def collection_manifest(*, code: str, name: str, objects: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A Presentation 3.0 Collection listing the (visible) objects of a digital collection."""
    return {
        "@context": PRESENTATION_CONTEXT,
        "id": f"{BASE}/iiif/collection/{code}",
        "type": "Collection",
        "label": lang_map(name),
        "items": [{"id": manifest_id(str(o["uuid"])), "type": "Manifest", "label": lang_map(o["title"])}
                  for o in objects],
    }


def page_words(raw: str | list[Any]) -> list[Any]:
    """A page's stored ALTO words (JSON text) as a list."""
    if isinstance(raw, list):
        return raw
    return orjson.loads(raw) if raw else []


def fold_word(word: str) -> str:
    """A word as search inside compares it: folded, punctuation at either end removed."""
    return _PUNCT.sub("", fold(word))


def query_terms(q: str) -> list[str]:
    """Folded search terms (diacritics and case ignored)."""
    return [t for t in (_PUNCT.sub("", w) for w in fold(q).split()) if t]


def find_hits(terms: list[str], pages: Iterable[Mapping[str, Any]], limit: int = MAX_HITS) -> list[dict[str, Any]]:
    """Hits of the phrase `terms` (consecutive words) in the pages' ALTO words, with the union box
    and the text around: [{order, box: (x, y, w, h), exact, prefix, suffix}]; stops after `limit`."""
    n = len(terms)
    first, last = terms[0], terms[-1]
    hits: list[dict[str, Any]] = []
    for p in pages:
        words = page_words(p["words"])
        folded = [str(w[5]) if len(w) > 5 else fold_word(str(w[0])) for w in words]
        if n == 1:  # the last (here only) term may be a prefix of 3+ characters
            starts = [i for i, f in enumerate(folded) if f == first or (len(first) > 2 and f.startswith(first))]
        else:
            starts = [i for i, f in enumerate(folded[:len(folded) - n + 1]) if f == first]
        for i in starts:
            if n == 1 or all(folded[i + k] == terms[k] for k in range(1, n - 1)) and (
                    folded[i + n - 1] == last or (len(last) > 2 and folded[i + n - 1].startswith(last))):
                # the box covers the phrase's words on the first word's line (a phrase that wraps
                # would otherwise highlight two whole lines)
                top, bottom = int(words[i][2]), int(words[i][2]) + int(words[i][4])
                span = [w for w in words[i:i + n] if int(w[2]) < bottom and int(w[2]) + int(w[4]) > top]
                x0 = min(int(w[1]) for w in span)
                y0 = min(int(w[2]) for w in span)
                x1 = max(int(w[1]) + int(w[3]) for w in span)
                y1 = max(int(w[2]) + int(w[4]) for w in span)
                hits.append({"order": p["order"], "box": (x0, y0, x1 - x0, y1 - y0),
                             "exact": " ".join(str(w[0]) for w in words[i:i + n]),
                             "prefix": " ".join(str(w[0]) for w in words[max(0, i - 6):i]),
                             "suffix": " ".join(str(w[0]) for w in words[i + n:i + n + 6])})
                if len(hits) >= limit:
                    return hits
    return hits


def search2(*, obj_uuid: str, query_url: str, hits: list[dict[str, Any]]) -> dict[str, Any]:
    """A Content Search 2.0 AnnotationPage."""
    items, contexts = [], []
    for n, h in enumerate(hits):
        aid = f"{BASE}/iiif/{obj_uuid}/hit/{n}"
        x, y, w, hh = h["box"]
        items.append({"id": aid, "type": "Annotation", "motivation": "supplementing",
                      "body": {"type": "TextualBody", "value": h["exact"], "format": "text/plain"},
                      "target": f"{canvas_id(obj_uuid, h['order'])}#xywh={x},{y},{w},{hh}"})
        contexts.append({"id": f"{aid}/context", "type": "Annotation", "motivation": "contextualizing",
                         "target": {"type": "SpecificResource", "source": aid, "selector": [{
                             "type": "TextQuoteSelector", "prefix": h["prefix"], "exact": h["exact"],
                             "suffix": h["suffix"]}]}})
    page: dict[str, Any] = {"@context": SEARCH2_CONTEXT, "id": query_url, "type": "AnnotationPage", "items": items}
    if contexts:
        page["annotations"] = [{"type": "AnnotationPage", "items": contexts}]
    return page


def search1(*, obj_uuid: str, query_url: str, hits: list[dict[str, Any]]) -> dict[str, Any]:
    """The same hits as a Content Search 1.0 AnnotationList (what Mirador and Tify read)."""
    resources, hit_list = [], []
    for n, h in enumerate(hits):
        aid = f"{BASE}/iiif/{obj_uuid}/hit/{n}"
        x, y, w, hh = h["box"]
        resources.append({"@id": aid, "@type": "oa:Annotation", "motivation": "sc:painting",
                          "resource": {"@type": "cnt:ContentAsText", "chars": h["exact"]},
                          "on": f"{canvas_id(obj_uuid, h['order'])}#xywh={x},{y},{w},{hh}"})
        hit_list.append({"@type": "search:Hit", "annotations": [aid], "match": h["exact"],
                         "before": h["prefix"], "after": h["suffix"]})
    return {"@context": ["http://iiif.io/api/presentation/2/context.json", "http://iiif.io/api/search/1/context.json"],
            "@id": query_url, "@type": "sc:AnnotationList", "resources": resources, "hits": hit_list,
            "within": {"@type": "sc:Layer", "total": len(hits)}}


def autocomplete2(*, query_url: str, prefix: str, words: Iterable[str], limit: int = 20) -> dict[str, Any]:
    """An AutoComplete 2.0 TermPage: distinct words starting with the folded prefix."""
    want = fold(prefix)
    seen: dict[str, str] = {}
    for w in words:
        key = fold_word(w)
        if want and key.startswith(want) and key not in seen:
            seen[key] = _PUNCT.sub("", w)
            if len(seen) >= limit:
                break
    return {"@context": SEARCH2_CONTEXT, "id": query_url, "type": "TermPage",
            "items": [{"value": v, "service": [{"id": f"{query_url.split('?')[0]}", "type": "SearchService2"}]}
                      for v in seen.values()]}
