"""Production settings (issue 12: V4, V6, V16-V18, the collectstatic 500): each case runs a fresh
Python process with DJANGO_SETTINGS_MODULE=thuvien.config.production, as a deployment would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
KEY = "k" * 20 + "-production-secret-for-tests-0123456789"


def _run(tmp_path: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("THUVIEN_", "DJANGO_", "DATABASE_URL"))}
    full.update({"DJANGO_SETTINGS_MODULE": "thuvien.config.production", "THUVIEN_HOME": str(tmp_path / "home"),
                 "THUVIEN_SECRET_KEY": KEY, "THUVIEN_ALLOWED_HOSTS": "thuvien.example.gov.vn,testserver"})
    full.update(env)
    return subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code], env=full, cwd=REPO,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow
def test_production_refuses_to_start_without_a_mail_choice(tmp_path):
    result = _run(tmp_path, "")
    assert result.returncode != 0 and "THUVIEN_EMAIL_BACKEND=smtp" in result.stderr
    result = _run(tmp_path, "", THUVIEN_EMAIL_BACKEND="smtp")
    assert result.returncode != 0 and "needs THUVIEN_SMTP_HOST" in result.stderr
    code = ("from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS,"
            " s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS, s.SECURE_HSTS_SECONDS, s.THUVIEN_SHOW_DEMO_LOGINS,"
            " s.THUVIEN_OUTBOUND_ALLOWED_HOSTS, s.THUVIEN_REQUIRE_2FA)")
    result = _run(tmp_path, code, THUVIEN_EMAIL_BACKEND="smtp", THUVIEN_SMTP_HOST="mail.example.gov.vn",
                  THUVIEN_PROXY_SSL_HEADER="X-Forwarded-Proto", THUVIEN_BASE_URL="https://thuvien.example.gov.vn")
    assert result.stdout.split("\n")[0] == (
        "django.core.mail.backends.smtp.EmailBackend mail.example.gov.vn 587 True "
        "('HTTP_X_FORWARDED_PROTO', 'https') ['https://thuvien.example.gov.vn'] 31536000 False [] True"), result.stderr


@pytest.mark.slow
def test_pages_answer_before_collectstatic_and_check_deploy_is_clean(tmp_path):
    code = """
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
response = Client(HTTP_HOST="thuvien.example.gov.vn").get("/", secure=True)
print(response.status_code, "/static/thuvien/site.css" in response.content.decode(),
      "Strict-Transport-Security" in response, "Content-Security-Policy" in response)
"""
    result = _run(tmp_path, code, THUVIEN_EMAIL_BACKEND="console")
    assert result.stdout.strip() == "200 True True True", result.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THUVIEN_", "DJANGO_", "DATABASE_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "thuvien.config.production", "THUVIEN_HOME": str(tmp_path / "home"),
                "THUVIEN_SECRET_KEY": KEY, "THUVIEN_EMAIL_BACKEND": "console", "THUVIEN_SSL_REDIRECT": "1"})
    check = subprocess.run([sys.executable, "-m", "thuvien", "check", "--deploy", "--fail-level", "WARNING"],  # noqa: S603
                           env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert check.returncode == 0, check.stderr + check.stdout
    assert "no issues" in check.stdout
