"""`thuvien digital_ingest PATH (--record ID | --title TEXT) --collection CODE`: a folder, ZIP or
PDF of one volume becomes a digital object; tiles, OCR and the PDF/A are made in the background
(or right here with --wait)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from thuvien.core.demo import system_user
from thuvien.core.models import OrgUnit, User
from thuvien.digital import services
from thuvien.digital.ingest import IngestError
from thuvien.digital.models import AccessLevel, Collection, OcrProfile


class Command(BaseCommand):
    help = "Nhập một tập tài liệu số (thư mục, ZIP hoặc PDF) và xử lý ảnh, nhận dạng chữ."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--record", help="id hoặc số kiểm soát (001) của biểu ghi")
        who.add_argument("--title", help="nhan đề (tài liệu số không gắn biểu ghi)")
        parser.add_argument("--collection", required=True, help="mã bộ sưu tập số")
        parser.add_argument("--library", help="mã thư viện khi tạo bộ sưu tập mới")
        parser.add_argument("--language", default="vie", help="mã ngôn ngữ ISO 639-3 (vie, tyz, nut, hnj...)")
        parser.add_argument("--ocr", choices=OcrProfile.values, default="", help="hồ sơ nhận dạng chữ")
        parser.add_argument("--access", choices=AccessLevel.values, default=AccessLevel.PUBLIC)
        parser.add_argument("--user", help="tên đăng nhập người nhập (mặc định: system)")
        parser.add_argument("--wait", action="store_true", help="xử lý ngay và chờ xong")
        parser.add_argument("--no-pdf", action="store_true", help="không tạo PDF/A (nhanh hơn)")

    def handle(self, *args: Any, **opts: Any) -> None:
        actor = User.objects.filter(username=opts["user"]).first() if opts["user"] else system_user()
        if actor is None:
            raise CommandError(f"no user {opts['user']!r}")
        coll = Collection.objects.filter(code=opts["collection"]).first()
        try:
            if coll is None:
                unit = OrgUnit.objects.filter(code=opts["library"] or "").first()
                if unit is None:
                    raise CommandError(f"collection {opts['collection']!r} does not exist: give --library CODE to create it")
                coll = services.collection_create(actor=actor, code=opts["collection"], name=opts["collection"],
                                                  unit=unit)
            record = services.record_find(opts["record"]) if opts["record"] else None
            result = services.object_ingest(
                actor=actor, source=Path(opts["path"]), collection=coll, record=record, title=opts["title"] or "",
                language=opts["language"], access=opts["access"], ocr_profile=opts["ocr"],
                process=not opts["wait"])
        except (IngestError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        obj = result.obj
        self.stdout.write(f"object {obj.uuid}: {result.pages} pages")
        for name in result.skipped:
            self.stdout.write(f"  skipped (not a page image, or a duplicate): {name}")
        for name in result.duplicates_elsewhere:
            self.stdout.write(f"  already in another object (same SHA-256): {name}")
        if opts["wait"]:
            obj = services.object_process(obj=obj, pdf=not opts["no_pdf"])
            self.stdout.write(f"{obj.status}: {obj.pages_done} pages processed{' ' + obj.error if obj.error else ''}")
            if obj.status != "ready":
                raise CommandError(obj.error)
        self.stdout.write(f"viewer: /digital/{obj.uuid}/  manifest: /iiif/{obj.uuid}/manifest")
