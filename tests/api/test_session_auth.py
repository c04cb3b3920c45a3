"""The browser app's sign-in: a JSON session endpoint with CSRF, and the demo login in DEBUG."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings as SettingsWrapper

from opencontractserver.users.models import User

pytestmark = pytest.mark.django_db


def _browser() -> tuple[Client, str]:
    """A browser that opened the app: it holds the CSRF cookie the index sets."""
    client = Client(enforce_csrf_checks=True)
    client.get("/api/auth/session")
    client.get("/")  # the app's index sets the csrftoken cookie
    return client, client.cookies["csrftoken"].value


def _sign_in(client: Client, csrf: str, password: str) -> Any:
    return client.post(
        "/api/auth/session",
        {"username": "owner", "password": password},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )


def test_sign_in_opens_a_session_the_api_accepts(owner: User) -> None:
    client, csrf = _browser()
    response = _sign_in(client, csrf, "owner-pass")
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "owner"
    assert client.get("/api/me").json()["id"] == owner.pk
    assert client.get("/api/auth/session").json()["user"]["username"] == "owner"


def test_wrong_password_is_refused_with_a_clear_message(owner: User) -> None:
    client, csrf = _browser()
    response = _sign_in(client, csrf, "wrong")
    assert response.status_code == 401
    assert response.json() == {
        "code": "invalid_credentials",
        "message": "The username or password is wrong.",
    }
    assert client.get("/api/auth/session").json()["user"] is None


def test_sign_in_without_the_csrf_header_is_refused(owner: User) -> None:
    client, _ = _browser()
    response = client.post(
        "/api/auth/session",
        {"username": "owner", "password": "owner-pass"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert client.get("/api/me").status_code == 401


def test_sign_out_ends_the_session_and_may_be_repeated(owner: User) -> None:
    client, csrf = _browser()
    _sign_in(client, csrf, "owner-pass")
    csrf = client.cookies["csrftoken"].value  # login rotates the token
    assert client.delete("/api/auth/session", headers={"X-CSRFToken": csrf}).status_code == 204
    assert client.get("/api/me").status_code == 401
    assert client.delete("/api/auth/session", headers={"X-CSRFToken": csrf}).status_code == 204


def test_sign_out_without_the_csrf_header_is_refused(owner: User) -> None:
    client, csrf = _browser()
    _sign_in(client, csrf, "owner-pass")
    assert client.delete("/api/auth/session").status_code == 403
    assert client.get("/api/me").status_code == 200


def test_demo_login_is_shown_only_in_debug(db: None, settings: SettingsWrapper) -> None:
    settings.DEBUG = True
    settings.OC_DEMO_USERNAME, settings.OC_DEMO_PASSWORD = "demo", "demo-password"
    body = Client().get("/api/auth/session").json()
    assert body == {"user": None, "demo_login": {"username": "demo", "password": "demo-password"}}
    settings.DEBUG = False
    assert Client().get("/api/auth/session").json() == {"user": None, "demo_login": None}
