"""Body limits: an oversize upload is refused from its Content-Length before the body is read,
and Django's own body limits answer with the API's JSON errors, never an HTML 400."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opencontractserver.api.middleware import EarlyUploadSizeGuard, Receive, Send
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.support.api_client import ApiClient, bearer

pytestmark = pytest.mark.django_db


class UnreadableBody:
    """A WSGI input that fails the test if anything reads it."""

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the request body was read")

    readline = read


@pytest.fixture
def small_limits(settings: Any) -> None:
    settings.OC_MAX_UPLOAD_BYTES = 1000
    settings.OC_UPLOAD_ENVELOPE_BYTES = 500


def test_an_upload_declared_over_the_limit_is_refused_before_its_body_is_read(
    owner: User, small_limits: None
) -> None:
    environ: dict[str, Any] = {"CONTENT_LENGTH": "1501", "wsgi.input": UnreadableBody()}
    response = Client().generic(
        "POST",
        "/api/documents",
        b"--x--",
        content_type="multipart/form-data; boundary=x",
        headers=bearer(owner),
        **environ,
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "file_too_large"
    assert body["message"] == "The upload is 1.5 KB; the limit is 1000 bytes per file."


def test_an_oversize_file_is_refused_with_413_and_nothing_is_stored(
    owner: User, small_limits: None, media_in_tmp: Path
) -> None:
    upload = SimpleUploadedFile("big.txt", b"x" * 5000)

    response = ApiClient(owner).upload("/api/documents", {"file": upload})

    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert "5." in response.json()["message"]  # the declared request size, about 5 KB
    assert not Document.objects.exists()
    assert not media_in_tmp.exists() or not any(media_in_tmp.rglob("*.txt"))


def test_a_file_within_the_envelope_margin_is_still_refused_once_read(
    owner: User, small_limits: None
) -> None:
    response = ApiClient(owner).upload(
        "/api/documents", {"file": SimpleUploadedFile("edge.txt", b"x" * 1001)}
    )

    assert response.status_code == 413
    assert response.json() == {
        "code": "file_too_large",
        "message": "The file is 1001 bytes; the limit is 1000 bytes.",
    }


def test_a_file_at_the_limit_passes_the_early_check(owner: User, small_limits: None) -> None:
    response = ApiClient(owner).upload(
        "/api/documents", {"file": SimpleUploadedFile("edge.txt", b"x" * 1000)}
    )
    assert response.status_code == 201


def test_other_routes_are_not_held_to_the_upload_limit(owner: User, settings: Any) -> None:
    settings.OC_MAX_UPLOAD_BYTES = 10
    settings.OC_UPLOAD_ENVELOPE_BYTES = 10
    response = ApiClient(owner).post(
        "/api/corpuses", {"title": "A corpus", "description": "x" * 50}
    )
    assert response.status_code == 201


@pytest.mark.parametrize("transport", ["bearer", "session"])
def test_an_oversize_json_body_is_a_json_413(owner: User, settings: Any, transport: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = ApiClient(owner, transport).post(
        "/api/corpuses", {"title": "A corpus", "description": "x" * 200}
    )

    assert response.status_code == 413
    assert response.json() == {
        "code": "file_too_large",
        "message": "The request body is too large; the limit is 100 bytes.",
    }


@pytest.mark.parametrize("transport", ["bearer", "session"])
def test_oversize_form_fields_of_an_upload_are_a_json_413(
    owner: User, settings: Any, transport: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    upload = SimpleUploadedFile("terms.txt", b"Payment is due in 30 days.")

    response = ApiClient(owner, transport).upload(
        "/api/documents", {"file": upload, "description": "x" * 500}
    )

    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert not Document.objects.exists()


@pytest.mark.parametrize("transport", ["bearer", "session"])
def test_too_many_form_fields_is_a_json_400(owner: User, settings: Any, transport: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    upload = SimpleUploadedFile("terms.txt", b"Payment is due in 30 days.")
    fields = {f"extra{i}": "x" for i in range(5)}

    response = ApiClient(owner, transport).upload("/api/documents", {"file": upload, **fields})

    assert response.status_code == 400
    assert json.loads(response.content) == {
        "code": "bad_request",
        "message": "The request has too many form fields; the limit is 2.",
    }


async def test_the_asgi_guard_answers_an_oversize_upload_without_reading_it(
    small_limits: None,
) -> None:
    sent: list[Mapping[str, Any]] = []
    passed_on: list[str] = []

    async def django_app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        passed_on.append(scope["path"])

    async def receive() -> Mapping[str, Any]:
        raise AssertionError("the request body was read")

    async def send(message: Mapping[str, Any]) -> None:
        sent.append(message)

    guard = EarlyUploadSizeGuard(django_app)
    upload = {"type": "http", "method": "POST", "path": "/api/documents"}
    await guard({**upload, "headers": [(b"content-length", b"1501")]}, receive, send)
    await guard({**upload, "headers": [(b"content-length", b"1500")]}, receive, send)
    await guard({**upload, "headers": []}, receive, send)  # chunked: checked once read

    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"]) == {
        "code": "file_too_large",
        "message": "The upload is 1.5 KB; the limit is 1000 bytes per file.",
    }
    assert len(sent) == 2
    assert passed_on == ["/api/documents", "/api/documents"]
