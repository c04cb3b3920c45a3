"""Production settings (DEBUG off): required settings, the hardening, and `check --deploy`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

REPO = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-enough-0123456789",
    "ALLOWED_HOSTS": "chat.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://chat.example.com",
    # Only parsed: none of these commands connects to a database.
    "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/unused",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {name: value for name, value in os.environ.items() if not name.startswith("OC_")}
    base.pop("DEBUG", None)
    merged = {**base, **PRODUCTION, **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={name: value for name, value in merged.items() if value != "<unset>"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_clean_with_the_production_settings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_reports_hsts_turned_off() -> None:
    """The check above is live: turning a protection down makes it fail."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", OC_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def test_the_production_settings_harden_cookies_https_and_frames() -> None:
    names = [
        "DEBUG",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "X_FRAME_OPTIONS",
    ]
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = manage("shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "DEBUG": False,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "X_FRAME_OPTIONS": "DENY",
    }


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY is not set"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS is not set"),
        ("CSRF_TRUSTED_ORIGINS", "CSRF_TRUSTED_ORIGINS is not set"),
    ],
)
def test_a_missing_required_setting_stops_the_start_with_its_name(
    missing: str, message: str
) -> None:
    result = manage("check", **{missing: "<unset>"})
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_a_bad_log_format_is_refused_with_the_choices() -> None:
    result = manage("check", LOG_FORMAT="yaml")
    assert result.returncode != 0
    assert "LOG_FORMAT='yaml' is not one of plain, json" in result.stderr


@pytest.mark.django_db
def test_errors_show_no_debug_page(client: Client) -> None:
    response = client.get("/documents-that-do-not-exist/nowhere")
    assert response.status_code == 404
    assert b"URLconf" not in response.content and b"Traceback" not in response.content
