"""Tokens (issue, expiry, forgery), the browser session with CSRF, and the login pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from django.conf import settings
from django.test import Client
from pytest_django import Settings as SettingsWrapper

from opencontractserver.users.models import User
from opencontractserver.users.tokens import issue_token
from tests.support.api_client import ApiClient

pytestmark = pytest.mark.django_db


def _get_me(token: str) -> tuple[int, dict[str, Any]]:
    response = Client().get("/api/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


def test_token_for_right_password_opens_the_api(owner: User) -> None:
    response = ApiClient().post("/api/auth/token", {"username": "owner", "password": "owner-pass"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "expires_at"}
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert timedelta(minutes=59) < expires_at - datetime.now(UTC) <= timedelta(hours=1)
    status, me = _get_me(body["access"])
    assert status == 200
    assert me["username"] == "owner" and me["id"] == owner.pk


def test_token_for_wrong_password_is_refused(owner: User) -> None:
    response = ApiClient().post("/api/auth/token", {"username": "owner", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_token_request_without_password_is_a_validation_error() -> None:
    response = ApiClient().post("/api/auth/token", {"username": "owner"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert "password" in body["message"]


def test_inactive_user_gets_no_token(owner: User) -> None:
    owner.is_active = False
    owner.save()
    response = ApiClient().post("/api/auth/token", {"username": "owner", "password": "owner-pass"})
    assert response.status_code == 401


def test_expired_token_is_refused_with_token_expired(owner: User) -> None:
    token = issue_token(owner, ttl_seconds=-5).access
    status, body = _get_me(token)
    assert status == 401
    assert body["code"] == "token_expired"


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda user: "garbage", id="garbage"),
        pytest.param(lambda user: issue_token(user).access[:-3] + "abc", id="bad-signature"),
        pytest.param(
            lambda user: jwt.encode(
                {"sub": str(user.pk), "exp": 9999999999, "typ": "access"},
                "another-secret-key-of-sufficient-length-123456",
                algorithm="HS256",
            ),
            id="forged-with-other-key",
        ),
        pytest.param(
            lambda user: jwt.encode(
                {"sub": str(user.pk), "exp": 9999999999, "typ": "access"}, "", algorithm="none"
            ),
            id="unsigned",
        ),
        pytest.param(
            lambda user: jwt.encode(
                {"sub": "999999", "exp": 9999999999, "typ": "access"},
                settings.SECRET_KEY,
                algorithm="HS256",
            ),
            id="unknown-user",
        ),
    ],
)
def test_forged_or_garbage_token_is_refused_with_token_invalid(
    owner: User, make_token: Callable[[User], str]
) -> None:
    status, body = _get_me(make_token(owner))
    assert status == 401
    assert body["code"] == "token_invalid"


def test_bad_token_is_refused_even_where_anonymous_reading_is_allowed(owner: User) -> None:
    response = Client().get("/api/corpuses", headers={"Authorization": "Bearer garbage"})
    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_anonymous_call_to_a_signed_in_endpoint_explains_how_to_authenticate() -> None:
    response = Client().get("/api/me")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert "Bearer" in body["message"]


def _login_through_the_form(client: Client, username: str, password: str) -> None:
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    csrf = page.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": csrf},
    )
    assert response.status_code == 302


def test_browser_session_works_for_reads_and_needs_csrf_for_writes(owner: User) -> None:
    client = Client(enforce_csrf_checks=True)
    _login_through_the_form(client, "owner", "owner-pass")
    assert client.get("/api/me").json()["username"] == "owner"

    refused = client.post("/api/corpuses", {"title": "A"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"

    csrf = client.cookies["csrftoken"].value
    created = client.post(
        "/api/corpuses",
        {"title": "A"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert created.status_code == 201
    assert created.json()["creator"] == "owner"


def test_login_form_rejects_a_wrong_password(owner: User) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": "owner", "password": "wrong"})
    assert response.status_code == 200
    assert b"didn&#x27;t match" in response.content or b"didn't match" in response.content
    assert client.get("/api/me").status_code == 401


def test_logout_ends_the_session(owner: User) -> None:
    client = Client()
    _login_through_the_form(client, "owner", "owner-pass")
    assert client.get("/api/me").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/api/me").status_code == 401


def test_without_a_frontend_build_the_start_page_says_how_to_build_it(
    db: None, settings: SettingsWrapper, tmp_path: Path
) -> None:
    settings.OC_FRONTEND_INDEX = tmp_path / "missing" / "index.html"
    response = Client().get("/")
    assert response.status_code == 503
    assert b"make run" in response.content
    for link in (b'href="/api/docs"', b'href="/admin/"', b'href="/accounts/login/"'):
        assert link in response.content


@pytest.mark.parametrize("path", ["/", "/corpora/7", "/documents/3", "/documents/3?corpus=7"])
def test_app_routes_serve_the_built_index_with_a_csrf_cookie(
    db: None, settings: SettingsWrapper, tmp_path: Path, path: str
) -> None:
    index = tmp_path / "index.html"
    index.write_text('<div id="root"></div><script src="/static/assets/index-AbCd1234.js">')
    settings.OC_FRONTEND_INDEX = index
    response = Client().get(path)
    assert response.status_code == 200
    assert b'id="root"' in response.content
    assert response["Cache-Control"] == "no-cache"
    assert "csrftoken" in response.cookies


def test_openapi_document_and_docs_page_are_served(db: None) -> None:
    schema = Client().get("/api/openapi.json")
    assert schema.status_code == 200
    assert "/api/auth/token" in schema.json()["paths"]
    assert Client().get("/api/docs").status_code == 200


def test_malformed_json_is_a_bad_request(owner: User) -> None:
    response = Client().post(
        "/api/corpuses",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {issue_token(owner).access}"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_validation_messages_name_the_field_not_the_view_parameter(owner: User) -> None:
    response = ApiClient(owner).post("/api/corpuses", {"description": "no title"})
    assert response.json()["message"] == "Invalid request. body.title: Field required"


def test_unknown_api_path_is_a_json_404(db: None) -> None:
    response = Client().get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_wrong_method_is_a_json_405(owner: User) -> None:
    response = ApiClient(owner).client.put("/api/corpuses")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"] and "POST" in response["Allow"]
