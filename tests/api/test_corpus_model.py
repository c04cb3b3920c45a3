"""A corpus's own model (`llm_model`): set on create, changed or cleared by PATCH, checked
offline (known provider prefix) with a clear 422, and checked the same way in the admin."""

from __future__ import annotations

import pytest
from django.test import Client

from opencontractserver.corpuses.models import Corpus
from opencontractserver.users.models import User
from tests.support.api_client import ApiClient
from tests.support.api_world import World

pytestmark = pytest.mark.django_db


def test_create_with_a_model_and_read_it_back(owner: User) -> None:
    client = ApiClient(owner)
    created = client.post(
        "/api/corpuses", {"title": "Leases", "llm_model": " anthropic:claude-sonnet-4-5 "}
    )
    assert created.status_code == 201
    assert created.json()["llm_model"] == "anthropic:claude-sonnet-4-5"
    corpus = Corpus.objects.get(pk=created.json()["id"])
    assert corpus.llm_model == "anthropic:claude-sonnet-4-5"


def test_a_corpus_created_without_a_model_uses_the_setting(owner: User) -> None:
    created = ApiClient(owner).post("/api/corpuses", {"title": "Leases"})
    assert created.json()["llm_model"] == ""


def test_patch_sets_keeps_and_clears_the_model(world: World) -> None:
    client = ApiClient(world.writer)
    path = f"/api/corpuses/{world.corpus.pk}"

    assert client.patch(path, {"llm_model": "ollama:llama3.1"}).json()["llm_model"] == (
        "ollama:llama3.1"
    )
    assert client.patch(path, {"title": "Renamed"}).json()["llm_model"] == "ollama:llama3.1"
    assert client.patch(path, {"llm_model": ""}).json()["llm_model"] == ""
    world.corpus.refresh_from_db()
    assert (world.corpus.title, world.corpus.llm_model) == ("Renamed", "")


@pytest.mark.parametrize(
    ("name", "explains"),
    [
        ("bogus:model-1", "'bogus' is not a provider pydantic-ai knows"),
        ("gpt-4o-mini", "no provider prefix"),
    ],
)
def test_a_model_pydantic_ai_cannot_resolve_is_a_clear_422(
    world: World, name: str, explains: str
) -> None:
    response = ApiClient(world.writer).patch(
        f"/api/corpuses/{world.corpus.pk}", {"llm_model": name}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert "llm_model" in body["message"] and explains in body["message"]
    world.corpus.refresh_from_db()
    assert world.corpus.llm_model == ""


def test_create_with_an_unknown_provider_creates_nothing(owner: User) -> None:
    response = ApiClient(owner).post("/api/corpuses", {"title": "X", "llm_model": "nope:x"})
    assert response.status_code == 422
    assert not Corpus.objects.filter(title="X").exists()


def test_a_reader_cannot_change_the_model(world: World) -> None:
    response = ApiClient(world.reader).patch(
        f"/api/corpuses/{world.corpus.pk}", {"llm_model": "openai:gpt-4o-mini"}
    )
    assert response.status_code == 403
    world.corpus.refresh_from_db()
    assert world.corpus.llm_model == ""


def test_the_admin_rejects_an_unknown_provider_and_saves_a_known_one(world: World) -> None:
    client = Client()
    client.force_login(User.objects.create_superuser("admin", password="admin-pass"))
    path = f"/admin/corpuses/corpus/{world.corpus.pk}/change/"
    form = {
        "title": world.corpus.title,
        "description": "",
        "creator": world.owner.pk,
        "documents": [world.document.pk],
        "shares-TOTAL_FORMS": 0,
        "shares-INITIAL_FORMS": 0,
    }

    rejected = client.post(path, {**form, "llm_model": "bogus:model-1"})
    assert rejected.status_code == 200  # the form again, with the error
    assert "is not a provider pydantic-ai knows" in rejected.content.decode()
    world.corpus.refresh_from_db()
    assert world.corpus.llm_model == ""

    saved = client.post(path, {**form, "llm_model": "openai:gpt-4o-mini"})
    assert saved.status_code == 302
    world.corpus.refresh_from_db()
    assert world.corpus.llm_model == "openai:gpt-4o-mini"
