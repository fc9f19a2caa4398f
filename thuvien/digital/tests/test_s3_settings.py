"""The S3 storage root as settings: THUVIEN_OCFL_ROOT=s3://bucket/prefix with THUVIEN_OCFL_S3_*, the
store chosen from them, and the outbound rule for the operator's endpoint (an explicit allow for the
OCFL store only: loopback and private addresses pass, the harvest allow-list is not widened)."""

from __future__ import annotations

from pathlib import Path

import pytest

from thuvien.config.env import read_env
from thuvien.core.outbound import OutboundRefused, check_url, configured_endpoint
from thuvien.digital import conf
from thuvien.digital.blobstore import LocalStore, S3Settings, S3Store, parse_s3_url


def test_s3_urls_are_parsed_strictly():
    assert parse_s3_url("s3://masters/thuvien/ocfl") == ("masters", "thuvien/ocfl")
    assert parse_s3_url("s3://masters") == ("masters", "")
    assert parse_s3_url("s3://masters/ocfl/") == ("masters", "ocfl")
    for bad in ("http://masters/ocfl", "s3:///ocfl", "s3://masters/ocfl?endpoint_url=x", "/srv/ocfl"):
        with pytest.raises(ValueError, match="not an s3://bucket/prefix URL"):
            parse_s3_url(bad)


def test_environment_settings_of_the_s3_root(monkeypatch):
    monkeypatch.setenv("THUVIEN_OCFL_ROOT", " s3://masters/cb ")
    monkeypatch.setenv("THUVIEN_OCFL_S3_ENDPOINT", "http://10.20.0.9:9000")
    monkeypatch.setenv("THUVIEN_OCFL_S3_REGION", "ap-southeast-1")
    monkeypatch.setenv("THUVIEN_OCFL_S3_ACCESS_KEY", "thuvien")
    monkeypatch.setenv("THUVIEN_OCFL_S3_SECRET_KEY", "bí-mật")
    env = read_env(debug_default=False)
    assert (env.ocfl_root, env.ocfl_s3_endpoint, env.ocfl_s3_region, env.ocfl_s3_access_key,
            env.ocfl_s3_secret_key, env.ocfl_s3_addressing) == (
        "s3://masters/cb", "http://10.20.0.9:9000", "ap-southeast-1", "thuvien", "bí-mật", "path")
    monkeypatch.setenv("THUVIEN_OCFL_S3_ADDRESSING", "Virtual")
    assert read_env(debug_default=False).ocfl_s3_addressing == "virtual"


def test_the_store_follows_the_root_setting(settings, tmp_path):
    settings.THUVIEN_OCFL_ROOT = tmp_path / "ocfl"
    assert conf.ocfl_s3_settings() is None
    store = conf.ocfl_store()
    assert isinstance(store, LocalStore) and store.root == tmp_path / "ocfl"
    settings.THUVIEN_OCFL_ROOT = ""
    assert conf.ocfl_root() == Path(settings.THUVIEN_HOME) / "ocfl"

    settings.THUVIEN_OCFL_ROOT = "s3://masters/cb/ocfl"
    settings.THUVIEN_OCFL_S3_ENDPOINT = "http://10.20.0.9:9000"
    settings.THUVIEN_OCFL_S3_REGION = ""
    settings.THUVIEN_OCFL_S3_ACCESS_KEY, settings.THUVIEN_OCFL_S3_SECRET_KEY = "thuvien", "secret"
    settings.THUVIEN_OUTBOUND_ALLOWED_HOSTS = []
    assert conf.ocfl_root() == "s3://masters/cb/ocfl"
    assert conf.ocfl_s3_settings() == S3Settings(bucket="masters", prefix="cb/ocfl", endpoint="http://10.20.0.9:9000",
                                                 access_key="thuvien", secret_key="secret", addressing="path")
    store = conf.ocfl_store()
    assert isinstance(store, S3Store) and conf.ocfl_store() is store  # one client per process and settings
    assert store.describe() == "s3://masters/cb/ocfl at http://10.20.0.9:9000"
    assert store.client.meta.endpoint_url == "http://10.20.0.9:9000"
    assert store.client.meta.region_name == "us-east-1"
    assert store._key("abc/v1/content/00001.tif") == "cb/ocfl/abc/v1/content/00001.tif"


def test_the_operators_endpoint_is_an_explicit_allow_for_the_store_only(settings, db):
    settings.THUVIEN_OUTBOUND_ALLOWED_HOSTS = []  # production: nothing internal on the allow-list
    # loopback and private addresses pass for the configured S3 endpoint...
    assert configured_endpoint("http://127.0.0.1:9000", purpose="THUVIEN_OCFL_S3_ENDPOINT") == ["127.0.0.1"]
    assert configured_endpoint("https://10.20.0.9", purpose="THUVIEN_OCFL_S3_ENDPOINT") == ["10.20.0.9"]
    # ...but the allow-list is not widened: a harvest URL to the same address is still refused
    for url in ("http://127.0.0.1:9000/", "https://10.20.0.9/"):
        with pytest.raises(OutboundRefused, match="internal addresses are refused"):
            check_url(url)
    # a malformed endpoint, or an address that is never a server, is refused with the setting's name
    for url, message in (("ftp://10.20.0.9", "unsupported URL scheme 'ftp'"),
                         ("http://minio:secret@10.20.0.9:9000", "URLs with a user name or password"),
                         ("http://224.0.0.1:9000", "224.0.0.1 \\(multicast\\)"),
                         ("http://0.0.0.0:9000", "0.0.0.0 \\(unspecified\\)")):
        with pytest.raises(OutboundRefused, match=f"THUVIEN_OCFL_S3_ENDPOINT: .*{message}"):
            configured_endpoint(url, purpose="THUVIEN_OCFL_S3_ENDPOINT")


def test_a_bad_endpoint_stops_the_store_before_any_request(settings):
    settings.THUVIEN_OCFL_ROOT = "s3://masters/ocfl"
    settings.THUVIEN_OCFL_S3_ENDPOINT = "http://user:pw@10.20.0.9:9000"
    with pytest.raises(OutboundRefused, match="THUVIEN_OCFL_S3_ENDPOINT"):
        conf.ocfl_store()


def test_the_outbound_page_shows_the_configured_endpoint(settings, client, admin_user):
    settings.THUVIEN_OCFL_ROOT = "s3://masters/ocfl"
    settings.THUVIEN_OCFL_S3_ENDPOINT = "http://10.20.0.9:9000"
    client.force_login(admin_user)
    html = client.get("/staff/outbound/").content.decode()
    assert '<ul id="outbound-configured"><li><code style="overflow-wrap:anywhere">http://10.20.0.9:9000</code>' in html
    assert "Kho S3 của bản lưu trữ tài liệu số (THUVIEN_OCFL_S3_ENDPOINT)" in html
    settings.THUVIEN_OCFL_ROOT = "/srv/ocfl"
    assert 'id="outbound-configured"' not in client.get("/staff/outbound/").content.decode()


def test_an_unreachable_s3_server_is_a_storage_error_never_damage(settings, tmp_path, digital_object_factory):
    import io
    import socket

    from django.core.management import call_command

    from thuvien.digital.blobstore import StoreError
    from thuvien.digital.models import DigitalObject, FixityCheck

    settings.THUVIEN_OCFL_ROOT = tmp_path / "ocfl"
    obj = digital_object_factory(texts=["Cao Bằng"], ocr="none")
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.THUVIEN_OCFL_ROOT = "s3://masters/ocfl"
    settings.THUVIEN_OCFL_S3_ENDPOINT = f"http://127.0.0.1:{port}"
    settings.THUVIEN_OCFL_S3_ACCESS_KEY, settings.THUVIEN_OCFL_S3_SECRET_KEY = "k", "s"
    settings.THUVIEN_OCFL_S3_ATTEMPTS = 1
    with pytest.raises(StoreError, match=f"s3://masters/ocfl at http://127.0.0.1:{port}/"):
        conf.ocfl_store().listing("abc")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("fixity_check", "--object", str(obj.pk), stdout=out)
    assert exit_.value.code == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"ERROR   {obj.pk} {obj.uuid}: not checked: s3://masters/ocfl at http://127.0.0.1:{port}/")
    assert lines[-1] == "0 objects checked, 0 bytes at 0 MB/s, 0 damaged, 1 not checked (storage error)"
    assert DigitalObject.objects.get(pk=obj.pk).damaged is False
    assert not FixityCheck.objects.filter(obj=obj).exists()
