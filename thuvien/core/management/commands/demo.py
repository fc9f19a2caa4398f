"""`thuvien demo`: load the demo network and each app's demo data (idempotent)."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from thuvien.core import demo as core_demo

# Each app may provide `thuvien.<app>.demo.load(*, network, stdout)`; they run in this order.
APP_DEMOS = ["catalog", "search", "patrons", "circulation", "protocols", "digital", "digitisation", "reports", "portal", "online"]


def app_demo_modules() -> list[ModuleType]:
    """The `thuvien.<app>.demo` modules that exist, in APP_DEMOS order."""
    modules = []
    for app in APP_DEMOS:
        try:
            modules.append(importlib.import_module(f"thuvien.{app}.demo"))
        except ModuleNotFoundError as exc:
            if exc.name != f"thuvien.{app}.demo":
                raise
    return modules


class Command(BaseCommand):
    help = "Tạo mạng lưới thư viện demo (Cao Bằng), dữ liệu mẫu và tài khoản cho từng vai trò."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="chỉ tạo khi cơ sở dữ liệu còn trống")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and core_demo.network_exists():
            self.stdout.write("Dữ liệu demo đã có; bỏ qua.")
        else:
            with transaction.atomic():
                network = core_demo.load(stdout=self.stdout)
            for module in app_demo_modules():
                module.load(network=network, stdout=self.stdout)
        if options["verbosity"] > 0:
            self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write(f"\nTài khoản demo (mật khẩu: {core_demo.DEMO_PASSWORD}):")
        for username, roles, unit in core_demo.logins():
            self.stdout.write(f"  {username:10} {roles} @ {unit}")
