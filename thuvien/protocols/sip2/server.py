"""The SIP2 server: asyncio, one task per kiosk connection. Frames are read to CR, checked (AY/AZ),
decoded in the terminal's encoding and handed to handlers.dispatch in a thread pool: the ORM is
never called from a coroutine. 97 resends the last reply; a bad checksum or a frame we cannot read
is answered 96 and the connection stays open."""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import close_old_connections, connection
from django.utils import translation

from thuvien.protocols.sip2 import messages as m
from thuvien.protocols.sip2.handlers import Session, dispatch, precheck

log = logging.getLogger(__name__)
MAX_FRAME = 64 * 1024  # a longer line is dropped (answered 96)
SLOW = 1.0  # seconds: a request waiting or taking longer is logged
IDLE_TIMEOUT = 30 * 60  # seconds without a frame before the connection is closed
# Requests that only read: served by their own threads, so a gate asking 17 for every tag that passes
# never waits behind kiosks' checkouts (on SQLite, writes go through one thread: no lock waits).
# 93 is there too: checking the password (Argon2) is slow CPU work and its one write is tiny.
READ_ONLY = frozenset({b"17", b"99", b"63", b"23", b"93"})


def _handle(session: Session, frame: bytes, queued: float = 0.0) -> bytes:
    """One frame in, one reply out (runs in a worker thread); slow requests are logged."""
    started = time.monotonic()
    try:
        return _answer(session, frame)
    finally:
        took = time.monotonic() - started
        if took > SLOW or started - queued > SLOW:
            log.warning("SIP2 %s slow: waited %.0f ms, took %.0f ms", frame[:2].decode(errors="replace"),
                        (started - queued) * 1000 if queued else 0, took * 1000)


def _precheck(session: Session, frame: bytes) -> None:
    """Before a write: the reader's PIN, on a read thread (see handlers.precheck)."""
    close_old_connections()
    body, sequence, ok = m.check_frame(frame)
    if ok is False:
        return
    try:
        request = m.parse(m.decode(body, session.encoding), sequence)
    except m.ParseError:
        return
    precheck(session, request)


def _answer(session: Session, frame: bytes) -> bytes:
    close_old_connections()
    body, sequence, ok = m.check_frame(frame)
    if ok is False and session.error_detection:
        return m.RESEND + session.line_end
    try:
        request = m.parse(m.decode(body, session.encoding), sequence)
    except m.ParseError as exc:
        log.info("SIP2 frame refused: %s", exc)
        return m.RESEND + session.line_end
    with translation.override("vi"):
        reply = dispatch(session, request)
    if reply is None:
        return m.RESEND + session.line_end
    return m.format_reply(reply, encoding=session.encoding, sequence=sequence,
                          error_detection=session.error_detection and sequence is not None,
                          line_end=session.line_end)


@dataclass
class Sip2Server:
    host: str = "127.0.0.1"
    port: int = 6001
    threads: int = 4
    tls_port: int | None = None
    tls_cert: str = ""
    tls_key: str = ""

    def __post_init__(self) -> None:
        self.readers = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="sip2-read")
        sqlite = connection.vendor == "sqlite"
        self.writers = ThreadPoolExecutor(max_workers=1 if sqlite else self.threads, thread_name_prefix="sip2-write")

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        session = Session(tls=writer.get_extra_info("ssl_object") is not None,
                          peer=str(peer[0]) if isinstance(peer, tuple) and peer else None)
        loop = asyncio.get_running_loop()
        last_reply = b""
        oversized = False  # inside a frame longer than MAX_FRAME: dropped up to its CR, answered 96 once
        try:
            while True:
                try:
                    data = await asyncio.wait_for(reader.readuntil(b"\r"), IDLE_TIMEOUT)
                except asyncio.LimitOverrunError as exc:
                    await reader.readexactly(exc.consumed)
                    oversized = True
                    continue
                frame = data[:-1].lstrip(b"\n")
                if oversized:
                    oversized = False
                    reply = m.RESEND + session.line_end
                elif not frame:
                    continue
                elif frame[:2] == b"97":
                    reply = last_reply or m.RESEND + session.line_end
                else:
                    try:
                        if frame[:2] in READ_ONLY:
                            reply = await loop.run_in_executor(self.readers, _handle, session, frame, time.monotonic())
                        else:
                            await loop.run_in_executor(self.readers, _precheck, session, frame)
                            reply = await loop.run_in_executor(self.writers, _handle, session, frame, time.monotonic())
                    except Exception:  # a bug must not take the kiosk offline: log it, ask for a resend
                        log.exception("SIP2 request failed: %r", frame[:200])
                        reply = m.RESEND + session.line_end
                    if not reply.startswith(m.RESEND):  # 97 repeats the last real answer, not a 96
                        last_reply = reply
                writer.write(reply)
                await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            log.debug("SIP2 connection from %s closed", peer)
            writer.close()

    async def serve(self, ready: asyncio.Event | None = None) -> None:
        servers = [await asyncio.start_server(self.connection, self.host, self.port, limit=MAX_FRAME)]
        if self.tls_port and self.tls_cert:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.tls_cert, self.tls_key or None)
            servers.append(await asyncio.start_server(self.connection, self.host, self.tls_port, ssl=context,
                                                      limit=MAX_FRAME))
        if ready is not None:
            ready.set()
        try:
            await asyncio.gather(*(s.serve_forever() for s in servers))
        finally:
            self.readers.shutdown(wait=False, cancel_futures=True)
            self.writers.shutdown(wait=False, cancel_futures=True)
