"""A request Django refuses before any view runs (a Host header that is not allowed, or not a
host name at all, as the HTTP fuzz suite once sent) answers an /api/ caller with the API's
`{code, message}`, not Django's HTML page."""

from __future__ import annotations

import json

import pytest
from django.test import Client


@pytest.mark.parametrize("host", [",g{a(1V/", "evil.example.com"])
@pytest.mark.django_db
def test_a_refused_host_is_an_api_error_under_api(host: str) -> None:
    response = Client().get("/api/documents", HTTP_HOST=host)
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "code": "bad_request",
        "message": "Bad request (refused before it reached the API).",
    }


@pytest.mark.django_db
def test_elsewhere_it_stays_django_s_page() -> None:
    response = Client().get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
