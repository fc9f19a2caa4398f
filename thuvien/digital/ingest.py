"""Reading an upload (a folder or a ZIP per volume) into an ordered list of page files.

Pure file handling, no database: natural order ("Trang 2" before "Trang 10"), NFC names, ZIP
names without the UTF-8 flag decoded cp437 then cp1258, zip-slip and zip-bomb guards, type
sniffing from the first bytes, SHA-256 per file and duplicates inside the upload dropped.
"""

from __future__ import annotations

import hashlib
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _
from natsort import natsort_keygen, ns

MAX_FILES = 5000
MAX_TOTAL_BYTES = 8 * 1024**3  # a 1,000-page colour volume of TIFFs fits
MAX_RATIO = 200  # a member that claims to expand more than 200x is a bomb, not a scan
SKIPPED_NAMES = {"thumbs.db", ".ds_store", "desktop.ini"}

_natural = natsort_keygen(alg=ns.IGNORECASE)


class IngestError(ValueError):
    """The upload cannot be read; the message is for the librarian."""


@dataclass
class SourceFile:
    name: str  # NFC, relative to the upload
    path: Path
    mime: str
    sha256: str


def sniff(head: bytes) -> str:
    """The media type from the first bytes, or "" for anything that is not a page image or PDF."""
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if head[:12] == b"\x00\x00\x00\x0cjP  \r\n\x87\n" or head[:4] == b"\xff\x4f\xff\x51":
        return "image/jp2"
    if head[:5] == b"%PDF-":
        return "application/pdf"
    return ""


def zip_member_name(info: zipfile.ZipInfo) -> str:
    """The member's real name: UTF-8 when flagged, else the raw bytes as UTF-8, then cp1258."""
    name = info.filename
    if not info.flag_bits & 0x800:
        raw = name.encode("cp437")
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            name = raw.decode("cp1258", errors="replace")
    return unicodedata.normalize("NFC", name)


def _skipped(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return (not parts or parts[0] == "__MACOSX" or parts[-1].lower() in SKIPPED_NAMES
            or any(p.startswith(".") for p in parts))


def _safe_relative(name: str) -> PurePosixPath:
    rel = PurePosixPath(name.replace("\\", "/"))
    if rel.is_absolute() or ".." in rel.parts or (rel.parts and ":" in rel.parts[0]):
        raise IngestError(_("Tệp nén chứa đường dẫn không an toàn: %(name)s") % {"name": name})
    return rel


def extract_zip(path: Path, dest: Path) -> list[tuple[str, Path]]:
    """Extract the page files of a ZIP into `dest` with the guards; returns (name, path) pairs."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise IngestError(_("Tệp không phải là tệp ZIP hợp lệ.")) from exc
    out: list[tuple[str, Path]] = []
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        if len(members) > MAX_FILES:
            raise IngestError(_("Tệp nén có quá nhiều tệp (tối đa %(n)s).") % {"n": MAX_FILES})
        total = 0
        for n, info in enumerate(members):
            name = zip_member_name(info)
            rel = _safe_relative(name)
            if _skipped(str(rel)):
                continue
            if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
                raise IngestError(_("Tệp nén bất thường (tỉ lệ nén quá lớn): %(name)s") % {"name": name})
            target = dest / f"{n:05d}{''.join(PurePosixPath(rel.name).suffixes[-1:])}"
            written = 0
            with archive.open(info) as src, target.open("wb") as dst:
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    total += len(chunk)
                    if written > info.file_size or total > MAX_TOTAL_BYTES:
                        raise IngestError(_("Tệp nén quá lớn khi giải nén."))
                    dst.write(chunk)
            out.append((str(rel), target))
    return out


def collect(source: Path, workdir: Path) -> tuple[list[SourceFile], list[str]]:
    """Page files of a folder or ZIP in natural order, and the names skipped (unknown type, duplicate)."""
    if not source.exists():
        raise IngestError(_("Không tìm thấy %(path)s") % {"path": source})
    workdir.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        pairs = [(unicodedata.normalize("NFC", p.relative_to(source).as_posix()), p)
                 for p in source.rglob("*") if p.is_file()]
        pairs = [(n, p) for n, p in pairs if not _skipped(n)]
    elif zipfile.is_zipfile(source):
        pairs = extract_zip(source, workdir)
    else:
        copy = workdir / ("single" + source.suffix.lower())
        shutil.copyfile(source, copy)
        pairs = [(unicodedata.normalize("NFC", source.name), copy)]
    pairs.sort(key=lambda pair: _natural(pair[0]))
    files: list[SourceFile] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for name, path in pairs:
        with path.open("rb") as fh:
            mime = sniff(fh.read(16))
        if not mime:
            skipped.append(name)
            continue
        digest = file_sha256(path)
        if digest in seen:
            skipped.append(name)
            continue
        seen.add(digest)
        files.append(SourceFile(name=name, path=path, mime=mime, sha256=digest))
    if not files:
        raise IngestError(_("Không có trang ảnh (TIFF, JPEG, JPEG 2000, PNG) hay PDF nào để nhập."))
    return files, skipped


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
