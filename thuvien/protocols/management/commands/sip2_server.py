"""`thuvien sip2_server`: the SIP2 server for self-check kiosks, book drops, sorters and gates."""

from __future__ import annotations

import asyncio
from typing import Any

from django.core.management.base import BaseCommand

from thuvien.protocols.sip2.server import Sip2Server


class Command(BaseCommand):
    help = "Chạy máy chủ SIP2 cho máy mượn trả tự động, hộp trả sách và cổng an ninh."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=6001)
        parser.add_argument("--threads", type=int, default=4, help="số luồng truy cập cơ sở dữ liệu")
        parser.add_argument("--tls-port", type=int, default=None, help="cổng thứ hai, mã hoá TLS")
        parser.add_argument("--tls-cert", default="", help="tệp chứng chỉ PEM cho cổng TLS")
        parser.add_argument("--tls-key", default="", help="tệp khoá riêng PEM cho cổng TLS")

    def handle(self, *args: Any, **options: Any) -> None:
        server = Sip2Server(host=options["host"], port=options["port"], threads=options["threads"],
                            tls_port=options["tls_port"], tls_cert=options["tls_cert"], tls_key=options["tls_key"])
        where = f"{options['host']}:{options['port']}"
        if options["tls_port"]:
            where += f" (TLS {options['tls_port']})"
        self.stdout.write(f"SIP2: {where}", ending="\n")
        self.stdout.flush()
        try:
            asyncio.run(server.serve())
        except KeyboardInterrupt:
            pass
