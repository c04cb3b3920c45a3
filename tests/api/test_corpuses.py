"""Corpora: create, update, add/remove documents, share."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from opencontractserver.corpuses.models import Corpus, CorpusShare
from opencontractserver.documents.models import Document
from opencontractserver.documents.services import store_document
from opencontractserver.shared.models import SharePermission
from opencontractserver.users.models import User
from tests.support.api_client import ApiClient
from tests.support.api_world import World

pytestmark = pytest.mark.django_db


def test_create_then_read_back_a_corpus(owner: User) -> None:
    client = ApiClient(owner)
    created = client.post(
        "/api/corpuses", {"title": " Leases ", "description": "All leases", "is_public": True}
    )
    assert created.status_code == 201
    body = created.json()
    assert body["title"] == "Leases"
    assert body["creator"] == "owner"
    assert body["document_count"] == 0 and body["can_write"] is True
    assert client.get(f"/api/corpuses/{body['id']}").json() == body
    assert ApiClient().get(f"/api/corpuses/{body['id']}").json()["can_write"] is False


def test_blank_title_is_a_validation_error(owner: User) -> None:
    response = ApiClient(owner).post("/api/corpuses", {"title": ""})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_update_changes_only_the_given_fields(world: World) -> None:
    response = ApiClient(world.writer).patch(
        f"/api/corpuses/{world.corpus.pk}", {"description": "New description"}
    )
    assert response.status_code == 200
    world.corpus.refresh_from_db()
    assert (world.corpus.title, world.corpus.description) == ("Private corpus", "New description")


def test_add_and_remove_documents(world: World) -> None:
    extra = store_document(
        creator=world.writer, upload=ContentFile(b"Extra.", name="extra.txt"), title="Extra"
    )
    client = ApiClient(world.writer)
    added = client.post(
        f"/api/corpuses/{world.corpus.pk}/documents", {"document_ids": [extra.pk, extra.pk]}
    )
    assert added.status_code == 200
    assert added.json()["document_count"] == 2
    removed = client.delete(f"/api/corpuses/{world.corpus.pk}/documents/{extra.pk}")
    assert removed.status_code == 204
    assert list(world.corpus.documents.all()) == [world.document]
    assert Document.objects.filter(pk=extra.pk).exists()
    again = client.delete(f"/api/corpuses/{world.corpus.pk}/documents/{extra.pk}")
    assert again.status_code == 404


def test_adding_an_invisible_document_is_a_404(world: World) -> None:
    hidden = store_document(
        creator=world.stranger, upload=ContentFile(b"Secret.", name="s.txt"), title="Secret"
    )
    response = ApiClient(world.owner).post(
        f"/api/corpuses/{world.corpus.pk}/documents", {"document_ids": [hidden.pk]}
    )
    assert response.status_code == 404
    assert "Secret" not in response.content.decode()


def test_sharing_grants_and_then_changes_access(world: World) -> None:
    owner = ApiClient(world.owner)
    third = ApiClient(world.third)
    path = f"/api/corpuses/{world.corpus.pk}"
    assert third.get(path).status_code == 404

    shared = owner.post(f"{path}/shares", {"username": "third", "permission": "read"})
    assert shared.status_code == 200
    assert shared.json()["permission"] == "read"
    assert third.get(path).status_code == 200
    assert third.patch(path, {"title": "x"}).status_code == 403

    owner.post(f"{path}/shares", {"username": "third", "permission": "write"})
    assert CorpusShare.objects.get(corpus=world.corpus, user=world.third).permission == (
        SharePermission.WRITE
    )
    assert third.patch(path, {"title": "Renamed by third"}).status_code == 200

    shares = owner.get(f"{path}/shares").json()
    assert [(s["username"], s["permission"]) for s in shares] == [
        ("reader", "read"),
        ("third", "write"),
        ("writer", "write"),
    ]
    assert owner.delete(f"{path}/shares/third").status_code == 204
    assert third.get(path).status_code == 404


def test_sharing_with_unknown_user_or_the_owner_is_refused(world: World) -> None:
    owner = ApiClient(world.owner)
    path = f"/api/corpuses/{world.corpus.pk}/shares"
    unknown = owner.post(path, {"username": "nobody", "permission": "read"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    to_owner = owner.post(path, {"username": "owner", "permission": "read"})
    assert to_owner.status_code == 422
    bad_permission = owner.post(path, {"username": "third", "permission": "admin"})
    assert bad_permission.status_code == 422
    assert owner.delete(f"{path}/nobody").status_code == 404


def test_corpus_list_shows_own_shared_and_public_corpora(world: World) -> None:
    public = Corpus.objects.create(title="Public", creator=world.stranger, is_public=True)
    Corpus.objects.create(title="Hidden", creator=world.stranger)
    ids = [c["id"] for c in ApiClient(world.reader).get("/api/corpuses").json()["items"]]
    assert ids == [public.pk, world.corpus.pk]
