"""Digital-library benchmark: the processing pipeline against bare Tesseract, and the IIIF endpoints
over HTTP (granian serving the WSGI app, as `thuvien serve` runs it).

    uv run python bench/digital.py [--pages 8] [--book-pages 500] [--requests 300] [--no-http] [--port N]
                                   [--home /tmp/thuvien-bench-digital]

1. Pipeline: --pages generated noisy A4 pages (150 ppi, Vietnamese text) go through `object_process`
   (pyramidal TIFF, one Tesseract pass writing ALTO, text/hOCR/one-page PDF derived from it, then the
   object's PDF/A-2b) with one OCR job; the same pages through bare `tesseract PAGE out -l vie txt`, one
   after another. Reported: pages/min of both and the overhead, with and without the per-object PDF/A
   step; and the CPU time per page of both (this process and its threads plus its child processes), whose
   ratio moves far less than the wall-clock one when other work shares the machine (with one OCR job the
   tiles are made on another core while Tesseract runs, which hides them from the wall clock, not from
   the CPU time). A one-page object goes through the whole pipeline first (not timed): what a worker
   process pays once (imports, the PDF/A validator's schemas) is not a per-page cost.
2. HTTP (one granian worker): tile p95 (random 256 px tiles of a 300 ppi A4 page at several zoom
   levels), info.json p95, the --book-pages manifest cold (cache emptied before each of 5 runs) and
   cached, and search inside the book (OCR words of real pages repeated over every page).
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--pages", type=int, default=8)
parser.add_argument("--book-pages", type=int, default=500)
parser.add_argument("--requests", type=int, default=300)
parser.add_argument("--home", default="/tmp/thuvien-bench-digital")
parser.add_argument("--port", type=int, default=0, help="the server's port (default: any free one)")
parser.add_argument("--no-http", action="store_true", help="the pipeline figures only (no book, no server)")
args = parser.parse_args()

shutil.rmtree(args.home, ignore_errors=True)
os.environ["THUVIEN_HOME"] = args.home
os.environ.pop("DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "thuvien.config.base"
os.environ["THUVIEN_DEBUG"] = "0"
os.environ["THUVIEN_OCR_JOBS"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from thuvien.core.demo import system_user  # noqa: E402
from thuvien.core.models import UnitKind  # noqa: E402
from thuvien.core.services import unit_create  # noqa: E402
from thuvien.digital import processing  # noqa: E402
from thuvien.digital.models import DigitalObject, Page  # noqa: E402
from thuvien.digital.services import collection_create, object_ingest, object_process  # noqa: E402
from thuvien.digital.synthetic import DIA_CHI_CAO_BANG, render_page  # noqa: E402


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94] if len(values) > 1 else values[0]


def cpu_s() -> float:
    """CPU seconds of this process (all threads) and of its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def get_ms(url: str) -> float:
    t = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as resp:  # noqa: S310
        resp.read()
    return (time.perf_counter() - t) * 1000


def warm_up(coll, tmp: Path) -> None:  # type: ignore[no-untyped-def]
    """One small object through the whole pipeline first, as a worker that has processed anything before:
    what a process pays once (imports, the PDF/A validator's schemas, the text layer's font) stays out."""
    render_page(DIA_CHI_CAO_BANG[0], tmp / "warm" / "1.png", width=1240, height=500, seed=99)
    obj = object_ingest(actor=system_user(), source=tmp / "warm", collection=coll, title="Warm-up",
                        process=False).obj
    assert object_process(obj=obj, pdf=True).status == "ready"


def pipeline(coll, tmp: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]
    src = tmp / "pages"
    for n in range(args.pages):
        text = "\n".join(DIA_CHI_CAO_BANG[(n + k) % len(DIA_CHI_CAO_BANG)] for k in range(3))
        render_page(text, src / f"Trang {n + 1}.png", seed=n)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    def bare() -> tuple[float, float]:
        t, c = time.perf_counter(), cpu_s()
        for n in range(args.pages):
            subprocess.run(["tesseract", str(src / f"Trang {n + 1}.png"), str(tmp / f"bare{n}"), "-l", "vie",
                            "--dpi", "150", "txt"], env=env, check=True, capture_output=True)
        return time.perf_counter() - t, cpu_s() - c

    before, before_cpu = bare()
    obj = object_ingest(actor=system_user(), source=src, collection=coll, title="Bench", process=False).obj
    t, c = time.perf_counter(), cpu_s()
    obj = object_process(obj=obj, pdf=False)
    pages_s, pages_cpu = time.perf_counter() - t, cpu_s() - c
    after, after_cpu = bare()
    bare_s = (before + after) / 2  # bare Tesseract before and after: the machine's load drifts
    bare_cpu = (before_cpu + after_cpu) / 2
    t, c = time.perf_counter(), cpu_s()
    processing.object_pdf(obj_uuid=obj.uuid, orders=list(range(1, args.pages + 1)), title=obj.title,
                          language="vie")
    pdf_s, pdf_cpu = time.perf_counter() - t, cpu_s() - c
    assert obj.status == "ready", obj.error
    whole_s, whole_cpu = pages_s + pdf_s, pages_cpu + pdf_cpu
    return {
        "bare_tesseract_cpu_ms_per_page": round(bare_cpu * 1000 / args.pages, 1),
        "pipeline_cpu_ms_per_page": round(whole_cpu * 1000 / args.pages, 1),
        "pipeline_cpu_overhead_pct": round((whole_cpu / bare_cpu - 1) * 100, 1),
        "bare_tesseract_pages_per_min": round(args.pages * 60 / bare_s, 1),
        "pipeline_pages_per_min": round(args.pages * 60 / whole_s, 1),
        "pipeline_overhead_pct": round((whole_s / bare_s - 1) * 100, 1),
        "per_page_overhead_pct": round((pages_s / bare_s - 1) * 100, 1),
        "pdfa_per_object_s": round(pdf_s, 2),
    }


def book(coll, tmp: Path) -> tuple[DigitalObject, Page]:  # type: ignore[no-untyped-def]
    """A 300 ppi A4 page (real pyramid) and a --book-pages book whose pages carry real OCR words."""
    src = tmp / "a4"
    render_page("\n".join(DIA_CHI_CAO_BANG), src / "a4.png", width=2480, height=3508, font_size=60, seed=7)
    obj = object_ingest(actor=system_user(), source=src, collection=coll, title="Sách 500 trang",
                        process=False).obj
    obj = object_process(obj=obj, pdf=False)
    first = obj.pages.get()
    words = list(Page.objects.filter(obj__title="Bench").order_by("order").values_list("words", "text",
                                                                                        "text_folded"))
    Page.objects.bulk_create([
        Page(obj=obj, order=n, label=str(n), source_name=f"{n}.png", sha256=f"{n:064x}", mime="image/png",
             width=first.width, height=first.height, processed=True, words=words[n % len(words)][0],
             text=words[n % len(words)][1], text_folded=words[n % len(words)][2])
        for n in range(2, args.book_pages + 1)], batch_size=500)
    return obj, first


def server() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", args.port))
        port = int(sock.getsockname()[1])
    proc = subprocess.Popen([sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", "1", "--blocking-threads", "1",
                             "--log-level", "warning", "thuvien.config.wsgi:application"],
                            env={**os.environ}, cwd=str(Path(__file__).resolve().parents[1]))
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(f"{base}/api/v1/digital/objects", timeout=30).read()  # noqa: S310
            return proc, base
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("granian did not answer")


def main() -> None:
    import img2pdf  # noqa: F401  (a worker imports these once; the first import alone took 10 s here)
    import pikepdf.pdfa  # noqa: F401
    import pyvips  # noqa: F401

    call_command("migrate", verbosity=0)
    actor = system_user()
    unit = unit_create(actor=actor, code="BENCH", name="Thư viện thử", kind=UnitKind.objects.get(code="network"),
                       parent=None)
    coll = collection_create(actor=actor, code="bench", name="Bench", unit=unit)
    with tempfile.TemporaryDirectory() as tmp:
        warm_up(coll, Path(tmp))
        figures = pipeline(coll, Path(tmp))
        print(f"pipeline: {figures}")
        if args.no_http:
            print(json.dumps({**figures, "pages": args.pages, "load_avg_1min": round(os.getloadavg()[0], 2)}))
            return
        obj, page = book(coll, Path(tmp))
    proc, base = server()
    try:
        rng = random.Random(2026)
        img = f"{base}/iiif/3/{page.uuid}"
        get_ms(f"{img}/info.json")
        info_ms = [get_ms(f"{img}/info.json") for _ in range(args.requests)]
        tile_ms = []
        for _ in range(args.requests):
            scale = rng.choice([1, 2, 4, 8])
            span = 256 * scale
            x = rng.randrange(0, max(1, page.width - span) + 1, span) if page.width > span else 0
            y = rng.randrange(0, max(1, page.height - span) + 1, span) if page.height > span else 0
            w, h = min(span, page.width - x), min(span, page.height - y)
            tile_ms.append(get_ms(f"{img}/{x},{y},{w},{h}/{max(1, w // scale)},/0/default.jpg"))
        manifest = f"{base}/iiif/{obj.uuid}/manifest"
        cold = []
        for _ in range(5):
            DigitalObject.objects.filter(pk=obj.pk).update(manifest_cache="")
            cold.append(get_ms(manifest))
        cached = [get_ms(manifest) for _ in range(args.requests)]
        queries = ["cao bang", "thac ban gioc", "nguoi tay", "Trùng Khánh", "cho phien", "pac bo", "ha noi"]
        search_ms = [get_ms(f"{base}/iiif/{obj.uuid}/search2?q={urllib.request.quote(q)}")
                     for _ in range(max(1, args.requests // len(queries))) for q in queries]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    result = {
        **figures,
        "pages": args.pages,
        "tile_p50_ms": round(statistics.median(tile_ms), 1), "tile_p95_ms": round(p95(tile_ms), 1),
        "info_json_p95_ms": round(p95(info_ms), 1),
        "book_pages": args.book_pages,
        "manifest_cold_ms": round(statistics.median(cold), 1),
        "manifest_cached_p95_ms": round(p95(cached), 1),
        "search_inside_p95_ms": round(p95(search_ms), 1),
        "load_avg_1min": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
