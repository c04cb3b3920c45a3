"""Defect 3 of issue 13: a NUL character (or a lone surrogate) in any HTTP string input is a 422
with the API's {code, message}, never a 500; nothing is written."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from tests.support.api_client import ApiClient
from tests.support.api_world import World

pytestmark = pytest.mark.django_db

NUL = "lease\x00notice"


def _assert_refused(response: Any, where: str) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert where in body["message"]
    assert "NUL" in body["message"] or "surrogate" in body["message"]


@pytest.mark.parametrize(
    ("path", "params", "where"),
    [
        ("/api/documents", {"search": NUL}, "query.search"),
        ("/api/conversations", {"search": NUL}, "query.search"),
        ("/api/corpuses", {"search": NUL}, "query.search"),
        ("/api/search", {"q": NUL, "corpus": "1"}, "query.q"),
        ("/api/documents", {NUL: "1"}, "query"),
    ],
)
def test_nul_in_a_query_parameter_is_a_422(
    world: World, path: str, params: dict[str, str], where: str
) -> None:
    _assert_refused(ApiClient(world.owner).get(path, params), where)


def test_nul_in_the_token_username_is_a_422(world: World) -> None:
    response = Client().post(
        "/api/auth/token",
        {"username": NUL, "password": "x"},
        content_type="application/json",
    )
    _assert_refused(response, "body.username")


@pytest.mark.parametrize("field", ["title", "description"])
def test_nul_in_a_new_corpus_is_a_422_and_creates_nothing(world: World, field: str) -> None:
    before = Corpus.objects.count()
    body = {"title": "Fine", field: NUL}
    _assert_refused(ApiClient(world.owner).post("/api/corpuses", body), f"body.{field}")
    assert Corpus.objects.count() == before


def test_a_lone_surrogate_in_a_json_body_is_a_422(world: World) -> None:
    client = ApiClient(world.owner)
    response = client.client.patch(
        f"/api/corpuses/{world.corpus.pk}",
        '{"title": "bad \\ud800 title"}',
        content_type="application/json",
        headers=client.headers,
    )
    _assert_refused(response, "body.title")
    world.corpus.refresh_from_db()
    assert world.corpus.title == "Private corpus"


def test_nul_in_an_upload_title_is_a_422_and_stores_nothing(world: World) -> None:
    before = Document.objects.count()
    upload = SimpleUploadedFile("notes.txt", b"Some text.", content_type="text/plain")
    response = ApiClient(world.owner).upload("/api/documents", {"file": upload, "title": NUL})
    _assert_refused(response, "form.title")
    assert Document.objects.count() == before


def test_nul_in_a_share_username_is_a_422(world: World) -> None:
    client = ApiClient(world.owner)
    shares = f"/api/corpuses/{world.corpus.pk}/shares"
    _assert_refused(client.post(shares, {"username": NUL, "permission": "read"}), "body.username")
    _assert_refused(client.delete(f"{shares}/lease%00notice"), "path")


def test_ordinary_unicode_passes(world: World) -> None:
    response = ApiClient(world.owner).get("/api/documents", {"search": "\u05e9\u05dc e\u0301"})
    assert response.status_code == 200
