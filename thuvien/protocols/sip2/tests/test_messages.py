"""SIP2 framing, checksums, dates and encodings (pure code)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from thuvien.protocols.sip2 import messages as m

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def test_checksum_of_the_resend_frame_is_the_spec_value() -> None:
    assert m.checksum(b"96AZ") == "FEF6"
    assert m.RESEND == b"96AZFEF6"


def test_check_frame_splits_and_verifies_the_trailer() -> None:
    body = b"9900302.00AY1AZ"
    frame = body + m.checksum(body).encode()
    assert m.check_frame(frame) == (b"9900302.00", "1", True)
    bad = body + b"0000"
    assert m.check_frame(bad) == (b"9900302.00", "1", False)
    assert m.check_frame(b"9900302.00") == (b"9900302.00", None, None)
    # a trailer after a field's bar is split off too
    piped = b"9300CNk1|COpw|AY2AZ"
    assert m.check_frame(piped + m.checksum(piped).encode())[0] == b"9300CNk1|COpw"


def test_parse_fixed_and_repeated_fields() -> None:
    req = m.parse("6300020261202    101500  Y       AOTV01|AAP001|ADx|AFa|AFb|", "3")
    assert req.code == "63" and req.sequence == "3"
    assert req.fixed == "00020261202    101500  Y       "
    assert req.get("AA") == "P001" and req.get("AD") == "x" and req.fields["AF"] == ["a", "b"]
    assert req.get("BP") == ""
    # no final bar, leading LF of a CRLF kiosk, trailing CR
    assert m.parse("\n2300020261202    101500AOTV01|AAP001\r").get("AA") == "P001"


@pytest.mark.parametrize("frame", ["", "X", "88abc", "63000", "1100|", "11" + " " * 38 + "|A"])
def test_parse_refuses_malformed_frames(frame: str) -> None:
    with pytest.raises(m.ParseError):
        m.parse(frame)


def test_format_reply_with_sequence_checksum_and_line_end() -> None:
    reply = m.Reply("94", "1")
    assert m.format_reply(reply, sequence="4") == b"941AY4AZFDF9\r"  # 0x10000 - 519
    data = m.format_reply(reply, sequence="4", line_end=b"\r\n")
    assert data.endswith(b"\r\n") and m.check_frame(data[:-2])[2] is True
    assert m.format_reply(reply, error_detection=False) == b"941\r"


def test_values_cannot_break_the_frame() -> None:
    reply = m.Reply("24", "").add("AE", "A|B\rC").add("AF", "", optional=True)
    assert m.format_reply(reply, error_detection=False) == b"24AEA/B C|\r"


def test_vietnamese_in_utf8_and_folded_for_cp850_and_ascii() -> None:
    reply = m.Reply("36", "Y").add("AF", "Đã trả sách: Nguyễn Thị Lưu")
    assert m.format_reply(reply, error_detection=False) == "36YAFĐã trả sách: Nguyễn Thị Lưu|\r".encode()
    folded = b"36YAFDa tra sach: Nguyen Thi Luu|\r"
    assert m.format_reply(reply, encoding="cp850", error_detection=False) == folded
    assert m.format_reply(reply, encoding="ascii", error_detection=False) == folded
    assert m.decode("Lê Văn Đức".encode(), "utf-8") == "Lê Văn Đức"
    assert m.decode(b"\xff\xfe", "utf-8") == "\ufffd\ufffd"


def test_dates_local_utc_and_blank() -> None:
    moment = dt.datetime(2026, 12, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert m.sip_date(moment, HCM) == "20261202    100405"
    assert m.sip_date(None) == " " * 18
    assert m.parse_date("20261202    100405", HCM) == moment
    assert m.parse_date("20261202   Z030405", HCM) == moment
    assert m.parse_date(" " * 18, HCM) is None
    assert m.parse_date("2026xx02    100405", HCM) is None


def test_amounts_are_whole_dong() -> None:
    assert m.amount(50000) == "50000"
    assert m.amount("12500.4") == "12500"
    assert m.amount(None) == "0"


def test_thuvien_serve_starts_the_sip2_server_when_enabled(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import importlib

    import thuvien.config.base as base

    monkeypatch.setenv("THUVIEN_SIP2_ENABLED", "1")
    monkeypatch.setenv("THUVIEN_SIP2_PORT", "6170")
    try:
        enabled = importlib.reload(base)
        assert enabled.THUVIEN_EXTRA_SERVERS == {"sip2": ["sip2_server", "--host", "127.0.0.1", "--port", "6170"]}
        monkeypatch.delenv("THUVIEN_SIP2_ENABLED")
        assert importlib.reload(base).THUVIEN_EXTRA_SERVERS == {}
    finally:
        monkeypatch.undo()
        importlib.reload(base)
