"""A real `thuvien sip2_server` process: the PyPI `sip2` client as a kiosk, then raw sockets for what
that client cannot show (CRLF, no AY/AZ, bad checksums, 97, CP850, a long 64, malformed frames)."""

from __future__ import annotations

import random
import socket
import tempfile
from collections.abc import Iterator

import pytest
from Sip2.sip2 import Sip2

from thuvien.protocols.sip2 import messages as m
from thuvien.protocols.sip2.tests.seed import PORTAL_PASSWORD
from thuvien.protocols.sip2.tests.server_process import Sip2Process

pytestmark = pytest.mark.slow
NOW = "20261202    101500"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Sip2Process]:  # type: ignore[no-untyped-def]
    proc = Sip2Process(tmp_path_factory.mktemp("sip2"))
    proc.prepare(items=40, readers=3)
    proc.start()
    yield proc
    errors = proc.stop()
    assert "Traceback" not in errors, errors


class Raw:
    """A kiosk on a plain socket that reads whole frames (to CR, or CRLF)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def frame(self, text: str, seq: str | None = "0", encoding: str = "utf-8", end: bytes = b"\r") -> bytes:
        data = text.encode(encoding)
        if seq is not None:
            data += f"AY{seq}AZ".encode()
            data += m.checksum(data).encode()
        return data + end

    def ask(self, text: str, seq: str | None = "0", encoding: str = "utf-8", end: bytes = b"\r") -> bytes:
        self.send(self.frame(text, seq, encoding, end))
        return self.read()

    def read(self) -> bytes:
        while b"\r" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\r")
        if self.buffer.startswith(b"\n"):
            self.buffer = self.buffer[1:]
            return line + b"\r\n"
        return line + b"\r"

    def close(self) -> None:
        self.sock.close()


def client(port: int, login: str = "kiosk1") -> Sip2:
    s = Sip2()
    s.hostName, s.hostPort, s.tlsEnable, s.socketTimeout = "127.0.0.1", port, False, 10
    s.hostEncoding, s.institutionId, s.scLocation = "utf-8", "TV01", "K1"
    s.logfile_path = tempfile.gettempdir()  # the client writes sip2.log there, not into the repository
    s.connect()
    assert s.sip_login_response(s.get_response(s.sip_login_request(login, "secret")))["fixed"]["Ok"] == "1"
    return s


def test_pypi_client_session(server: Sip2Process) -> None:
    s = client(server.port)
    status = s.sip_sc_status_response(s.get_response(s.sip_sc_status_request()))
    assert status["fixed"]["OnlineStatus"] == "Y" and status["variable"]["AM"] == ["Thư viện tỉnh Cao Bằng"]
    s.patron, s.patronpwd = "P001", "1234"
    info = s.sip_patron_information_response(s.get_response(s.sip_patron_information_request("fine")))
    assert info["variable"]["AE"] == ["Nguyễn Thị Lưu"] and info["variable"]["BV"] == ["50000"]
    assert info["variable"]["AV"] == ["50000 VND Làm hỏng sách"] and info["fixed"]["FineItemsCount"] == "0001"
    out = s.sip_checkout_response(s.get_response(s.sip_checkout_request("VN0010")))
    assert out["fixed"]["Ok"] == "1" and out["fixed"]["Desensitize"] == "Y"
    assert out["variable"]["AJ"] == ["Truyện Kiều"] and out["variable"]["AH"][0][8:12] == "    "
    charged = s.sip_patron_information_response(s.get_response(s.sip_patron_information_request("charged")))
    assert charged["variable"]["AU"] == ["RENEW01", "VN0010"] and charged["fixed"]["ChargedItemsCount"] == "0002"
    too_soon = s.sip_renew_response(s.get_response(s.sip_renew_request("VN0010")))
    assert too_soon["fixed"]["Ok"] == "0" and "AH" in too_soon["variable"]["Raw"]  # AH empty on a refusal
    renewed = s.sip_renew_response(s.get_response(s.sip_renew_request("RENEW01")))
    assert renewed["fixed"]["Ok"] == "1" and renewed["fixed"]["RenewalOk"] == "Y"
    back = s.sip_checkin_response(s.get_response(s.sip_checkin_request("VN0010")))
    assert back["fixed"]["Ok"] == "1" and back["fixed"]["Resensitize"] == "Y"
    assert back["variable"]["AF"] == ["Xếp lên giá."]
    paid = s.sip_fee_paid_response(s.get_response(s.sip_fee_paid_request(1, 0, "20000", transactionId="K1-77",
                                                                          currencyType="VND")))
    assert paid["fixed"]["PaymentAccepted"] == "Y" and paid["variable"]["AF"] == ["Đã nhận 20000 đ. Còn nợ 30000 đ."]
    end = s.sip_end_patron_session_response(s.get_response(s.sip_end_patron_session_request()))
    assert end["fixed"]["EndSession"] == "Y"
    s.disconnect()


def test_failed_checkout_and_unknown_patron(server: Sip2Process) -> None:
    s = client(server.port)
    s.patron, s.patronpwd = "NOBODY", "1234"
    info = s.sip_patron_information_response(s.get_response(s.sip_patron_information_request("none")))
    assert info["fixed"]["PatronStatus"] == "YYYY          " and info["variable"]["BL"] == ["N"]
    s.patron = "P001"
    failed = s.sip_checkout_response(s.get_response(s.sip_checkout_request("NO-SUCH-ITEM")))
    assert (failed["fixed"]["Ok"], failed["fixed"]["RenewalOk"], failed["fixed"]["MagneticMedia"],
            failed["fixed"]["Desensitize"]) == ("0", "N", "U", "N")
    raw = failed["variable"]["Raw"]
    assert [r[:2] for r in raw[:5]] == ["AO", "AA", "AB", "AJ", "AH"] and raw[4] == "AH"
    s.disconnect()


def test_the_pin_not_the_portal_password_opens_the_account(server: Sip2Process) -> None:
    s = client(server.port)
    s.patron, s.patronpwd = "P001", PORTAL_PASSWORD
    status = s.sip_patron_status_response(s.get_response(s.sip_patron_status_request()))
    assert status["variable"]["CQ"] == ["N"] and status["variable"]["BL"] == ["Y"]
    refused = s.sip_checkout_response(s.get_response(s.sip_checkout_request("VN0011")))
    assert refused["fixed"]["Ok"] == "0" and refused["variable"]["AF"] == ["Mã PIN không đúng."]
    s.patronpwd = "1234"
    status = s.sip_patron_status_response(s.get_response(s.sip_patron_status_request()))
    assert status["variable"]["CQ"] == ["Y"]
    s.disconnect()


def test_crlf_terminal_cp850_and_frames_without_error_detection(server: Sip2Process) -> None:
    k = Raw(server.port)
    assert k.ask("9300CNkiosk850|COsecret|", end=b"\r\n") == b"941AY0AZFDFD\r\n"  # the terminal's line end
    reply = k.ask(f"23000{NOW}AOTV01|AAP001|AD1234|", seq="1", end=b"\r\n")
    assert reply.endswith(b"\r\n") and m.check_frame(reply[:-2])[1:] == ("1", True)
    assert b"AENguyen Thi Luu|" in reply  # Vietnamese folded for a CP850 kiosk
    reply.decode("cp850")
    out = k.ask(f"11NN{NOW}{' ' * 18}AOTV01|AAP001|ABVN0011|AD1234|", seq="2", end=b"\r\n")
    assert out[:6] == b"121NNY" and b"AJTruyen Kieu|" in out and b"AFHan tra: " in out
    # a frame without AY/AZ gets a reply without them
    plain = k.ask(f"17{NOW}AOTV01|ABVN0011|", seq=None, end=b"\r\n")
    assert plain.startswith(b"18040001") and b"AY" not in plain and b"AZ" not in plain
    # a Vietnamese title sent in CP850 by the kiosk (á exists in CP850) is read, not refused
    k.close()


def test_bad_checksum_gets_96_and_97_resends_the_last_reply(server: Sip2Process) -> None:
    k = Raw(server.port)
    k.ask("9300CNkiosk1|COsecret|")
    first = k.ask(f"17{NOW}AOTV01|ABVN0001|", seq="3")
    assert first.startswith(b"18") and m.check_frame(first[:-1])[1:] == ("3", True)
    good = k.frame(f"17{NOW}AOTV01|ABVN0002|", seq="4")
    bad = good[:-5] + (b"0000" if good[-5:-1] != b"0000" else b"1111") + b"\r"
    k.send(bad)
    assert k.read() == b"96AZFEF6\r"
    k.send(b"97AZFEF5\r")
    assert k.read() == first
    k.send(b"97\r")
    assert k.read() == first
    k.close()


def test_patron_information_longer_than_4_kb(server: Sip2Process) -> None:
    k = Raw(server.port)
    k.ask("9300CNgate1|COsecret|")
    summary = "  Y       "
    reply = k.ask(f"63000{NOW}{summary}AOTV01|AAP100|BP1|BQ150|")
    assert len(reply) > 4096 and m.check_frame(reply[:-1])[2] is True
    items = [f[2:] for f in reply.decode().split("|") if f.startswith("AU")]
    assert len(items) == 150 and items[0] == "LONG0001-ĐỊA-CHÍ-CAO-BẰNG"
    k.close()


def test_malformed_frames_then_the_server_still_answers(server: Sip2Process) -> None:
    rng = random.Random(16)
    k = Raw(server.port)
    k.ask("9300CNkiosk1|COsecret|")
    codes = list(m.REQUEST_FIXED) + ["00", "xx", "\x00\x01", "9"]
    for n in range(300):
        code = rng.choice(codes)
        body = bytes(rng.randrange(1, 256) for _ in range(rng.randrange(0, 120))).replace(b"\r", b"")
        payload = code.encode() + body
        if n % 3 == 0:
            payload += b"AY1AZ" + m.checksum(payload + b"AY1AZ").encode()
        k.send(payload + b"\r")
        reply = k.read()
        assert reply.endswith(b"\r") and len(reply) >= 3
    k.send(b"X" * 70000 + b"\r")  # longer than the frame limit
    assert k.read() == b"96AZFEF6\r"
    assert k.ask("9300CNkiosk1|COsecret|") == b"941AY0AZFDFD\r"  # a fuzzed 93 may have logged it out
    after = k.ask(f"17{NOW}AOTV01|ABVN0001|", seq="7")
    assert after.startswith(b"18") and b"ABVN0001|" in after
    k.close()
    assert server.alive()
    fresh = client(server.port)
    fresh.disconnect()


def test_wrong_password_and_requests_before_login(server: Sip2Process) -> None:
    k = Raw(server.port)
    assert k.ask(f"17{NOW}AOTV01|ABVN0001|") == b"96AZFEF6\r"
    assert k.ask("9300CNkiosk1|COwrong!|").startswith(b"940")
    k.close()


def test_tls_listener(server: Sip2Process, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil
    import ssl
    import subprocess

    from thuvien.protocols.sip2.tests.server_process import free_port

    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=localhost"], check=True, capture_output=True)
    tls = Sip2Process(server.home)
    tls_port = free_port()
    tls.start("--tls-port", str(tls_port), "--tls-cert", str(cert), "--tls-key", str(key))
    try:
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        with socket.create_connection(("127.0.0.1", tls_port), timeout=10) as raw, \
                context.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(b"9300CNkiosk1|COsecret|AY0AZF6DC\r")
            assert s.recv(100) == b"941AY0AZFDFD\r"
    finally:
        assert "Traceback" not in tls.stop()
