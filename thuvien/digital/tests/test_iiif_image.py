"""IIIF Image API 3.0: request parsing, and the third-party iiif-validator at level 2 against a live
server serving a pyramidal TIFF made by our pipeline from the validator's test image."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from thuvien.digital.image import ImageRequestError, parse

VALIDATOR_ID = "67352ccc-d1b0-11e1-89ae-279075081939"


@pytest.mark.parametrize(("region", "size", "expected"), [
    ("full", "max", (0, 0, 1000, 800, 1000, 800)),
    ("square", "100,", (100, 0, 800, 800, 100, 100)),
    ("10,20,300,400", "150,", (10, 20, 300, 400, 150, 200)),
    ("pct:10,10,50,50", ",200", (100, 80, 500, 400, 250, 200)),
    ("900,700,500,500", "max", (900, 700, 100, 100, 100, 100)),  # cropped at the edge
    ("full", "pct:25", (0, 0, 1000, 800, 250, 200)),
    ("full", "!200,200", (0, 0, 1000, 800, 200, 160)),
    ("full", "300,50", (0, 0, 1000, 800, 300, 50)),
    ("0,0,100,100", "^200,", (0, 0, 100, 100, 200, 200)),
])
def test_parse_region_and_size(region, size, expected):
    r = parse(region, size, "0", "default.jpg", 1000, 800)
    assert (r.x, r.y, r.w, r.h, r.tw, r.th) == expected


@pytest.mark.parametrize(("region", "size", "rotation", "qf"), [
    ("0,0,0,10", "max", "0", "default.jpg"),  # empty region
    ("2000,0,10,10", "max", "0", "default.jpg"),  # outside
    ("full", "2000,", "0", "default.jpg"),  # upscaling without ^
    ("full", "pct:150", "0", "default.jpg"),
    ("full", "!100,", "0", "default.jpg"),
    ("full", "max", "45", "default.jpg"),
    ("full", "max", "0", "sepia.jpg"),
    ("full", "max", "0", "default.bmp"),
    ("a,b,c,d", "max", "0", "default.jpg"),
    ("full", "^99999,", "0", "default.jpg"),  # beyond maxWidth
])
def test_bad_requests_are_400s(region, size, rotation, qf):
    with pytest.raises(ImageRequestError):
        parse(region, size, rotation, qf, 1000, 800)


def validator_image(path: Path) -> None:
    """The 1000x1000 test image iiif-validator expects: 10x10 coloured squares of 100 px."""
    from iiif_validator.validator import ValidationInfo

    colors = ValidationInfo().colorInfo
    img = Image.new("RGB", (1000, 1000))
    for x in range(10):
        for y in range(10):
            img.paste(colors[x][y], (x * 100, y * 100, x * 100 + 100, y * 100 + 100))
    img.save(path)


@pytest.mark.slow
def test_iiif_validator_level2_passes(live_server, net, tmp_path):
    from thuvien.core.models import User
    from thuvien.digital.models import Page
    from thuvien.digital.services import object_ingest, object_process
    from thuvien.digital.tests.fixtures import make_collection

    src = tmp_path / "validator"
    src.mkdir()
    validator_image(src / "page.png")
    coll = make_collection(net.a)
    actor = User.objects.get(username=f"digi_dia-chi_{net.a.code}".lower())
    obj = object_ingest(actor=actor, source=src, collection=coll, title="IIIF", ocr_profile="none",
                        process=False).obj
    Page.objects.filter(obj=obj).update(uuid=VALIDATOR_ID)
    obj = object_process(obj=obj, pdf=False)
    assert obj.status == "ready"
    host = live_server.url.removeprefix("http://")
    validate = Path(sys.executable).parent / "iiif-validate.py"
    run = subprocess.run([sys.executable, str(validate), "-s", host, "-p", "iiif/3", "-i", VALIDATOR_ID,
                          "--version=3.0", "--level=2"], capture_output=True, text=True, timeout=300)
    done = re.search(r"Done \((\d+) tests, (\d+) failures\)", run.stderr)
    assert done is not None, run.stderr
    assert (int(done.group(2)), run.returncode) == (0, 0), run.stderr
    assert int(done.group(1)) >= 30  # the level 0, 1 and 2 tests of Image API 3.0
