"""Owner, shared writer, shared reader, stranger and anonymous x every API endpoint.

Someone who may not see an object gets exactly a 404 (never its data); someone who may see but not
change it gets 403; anonymous callers get 401 wherever authentication is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from opencontractserver.documents.models import Document
from opencontractserver.documents.services import store_document
from opencontractserver.users.models import User
from tests.support.api_client import ApiClient, Transport
from tests.support.api_world import World

pytestmark = pytest.mark.django_db

Role = Literal["owner", "writer", "reader", "stranger", "anonymous"]
ROLES: tuple[Role, ...] = ("owner", "writer", "reader", "stranger", "anonymous")

Method = Literal["get", "post", "patch", "delete", "upload"]


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: Method
    route: str
    expected: dict[Role, int]
    body: Callable[[World, User | None], dict[str, Any]] | None = None


READ: dict[Role, int] = {
    "owner": 200,
    "writer": 200,
    "reader": 200,
    "stranger": 404,
    "anonymous": 404,
}
READ_SIGNED_IN: dict[Role, int] = {
    "owner": 200,
    "writer": 200,
    "reader": 200,
    "stranger": 404,
    "anonymous": 401,
}
LIST: dict[Role, int] = {
    "owner": 200,
    "writer": 200,
    "reader": 200,
    "stranger": 200,
    "anonymous": 200,
}
LIST_SIGNED_IN: dict[Role, int] = {
    "owner": 200,
    "writer": 200,
    "reader": 200,
    "stranger": 200,
    "anonymous": 401,
}
CREATE: dict[Role, int] = {
    "owner": 201,
    "writer": 201,
    "reader": 201,
    "stranger": 201,
    "anonymous": 401,
}


def write(ok: int) -> dict[Role, int]:
    return {"owner": ok, "writer": ok, "reader": 403, "stranger": 404, "anonymous": 401}


def own_document(world: World, actor: User | None) -> dict[str, Any]:
    """A document the caller owns (so only the corpus permission decides)."""
    if actor is None:
        return {"document_ids": [world.document.pk]}
    document = store_document(
        creator=actor, upload=ContentFile(b"Fresh text.", name="fresh.txt"), title="Fresh"
    )
    return {"document_ids": [document.pk]}


def upload_into_corpus(world: World, actor: User | None) -> dict[str, Any]:
    return {
        "file": SimpleUploadedFile("note.txt", b"A new note.", content_type="text/plain"),
        "corpus_id": str(world.corpus.pk),
    }


def plain_upload(world: World, actor: User | None) -> dict[str, Any]:
    return {"file": SimpleUploadedFile("note.md", b"# A note", content_type="text/markdown")}


ENDPOINTS = [
    Endpoint("me", "get", "/api/me", LIST_SIGNED_IN),
    # corpora
    Endpoint("list corpuses", "get", "/api/corpuses", LIST),
    Endpoint("create corpus", "post", "/api/corpuses", CREATE, lambda w, a: {"title": "Mine"}),
    Endpoint("corpus detail", "get", "/api/corpuses/{corpus_id}", READ),
    Endpoint(
        "update corpus",
        "patch",
        "/api/corpuses/{corpus_id}",
        write(200),
        lambda w, a: {"title": "Renamed corpus"},
    ),
    Endpoint(
        "add documents to corpus",
        "post",
        "/api/corpuses/{corpus_id}/documents",
        write(200),
        own_document,
    ),
    Endpoint(
        "remove document from corpus",
        "delete",
        "/api/corpuses/{corpus_id}/documents/{document_id}",
        write(204),
    ),
    Endpoint("list corpus shares", "get", "/api/corpuses/{corpus_id}/shares", write(200)),
    Endpoint(
        "share corpus",
        "post",
        "/api/corpuses/{corpus_id}/shares",
        write(200),
        lambda w, a: {"username": "third", "permission": "read"},
    ),
    Endpoint("unshare corpus", "delete", "/api/corpuses/{corpus_id}/shares/{username}", write(204)),
    # documents
    Endpoint("upload document", "upload", "/api/documents", CREATE, plain_upload),
    Endpoint(
        "upload document into corpus",
        "upload",
        "/api/documents",
        {"owner": 201, "writer": 201, "reader": 403, "stranger": 404, "anonymous": 401},
        upload_into_corpus,
    ),
    Endpoint("list documents", "get", "/api/documents", LIST),
    Endpoint(
        "list documents of corpus",
        "get",
        "/api/documents",
        READ,
        lambda w, a: {"corpus_id": w.corpus.pk},
    ),
    Endpoint("document detail", "get", "/api/documents/{document_id}", READ),
    Endpoint("document text", "get", "/api/documents/{document_id}/text", READ),
    Endpoint("document file", "get", "/api/documents/{document_id}/file", READ),
    Endpoint("document annotations", "get", "/api/documents/{document_id}/annotations", READ),
    Endpoint("document notes", "get", "/api/documents/{document_id}/notes", READ),
    Endpoint("list document shares", "get", "/api/documents/{document_id}/shares", write(200)),
    Endpoint(
        "share document",
        "post",
        "/api/documents/{document_id}/shares",
        write(200),
        lambda w, a: {"username": "third", "permission": "write"},
    ),
    Endpoint(
        "unshare document", "delete", "/api/documents/{document_id}/shares/{username}", write(204)
    ),
    Endpoint("delete document", "delete", "/api/documents/{document_id}", write(204)),
    # conversations
    Endpoint(
        "search a document",
        "get",
        "/api/search",
        READ,
        lambda w, a: {"q": "tenant rent", "document": w.document.pk},
    ),
    Endpoint(
        "search a corpus",
        "get",
        "/api/search",
        READ,
        lambda w, a: {"q": "tenant rent", "corpus": w.corpus.pk},
    ),
    Endpoint("list conversations", "get", "/api/conversations", LIST_SIGNED_IN),
    Endpoint("conversation detail", "get", "/api/conversations/{conversation_id}", READ_SIGNED_IN),
    Endpoint(
        "conversation messages",
        "get",
        "/api/conversations/{conversation_id}/messages",
        READ_SIGNED_IN,
    ),
    Endpoint(
        "rename conversation",
        "patch",
        "/api/conversations/{conversation_id}",
        write(200),
        lambda w, a: {"title": "Renamed"},
    ),
    Endpoint("delete conversation", "delete", "/api/conversations/{conversation_id}", write(204)),
]

# Private titles that must never reach someone who may not see the objects.
SECRETS = ("Private corpus", "Private lease", "Rent questions", "The tenant")


def _actor(world: World, role: Role) -> User | None:
    return None if role == "anonymous" else getattr(world, role)


def _call(endpoint: Endpoint, world: World, role: Role, transport: Transport = "bearer") -> Any:
    actor = _actor(world, role)
    client = ApiClient(actor, transport)
    path = endpoint.route.format(
        corpus_id=world.corpus.pk,
        document_id=world.document.pk,
        conversation_id=world.conversation.pk,
        username=world.reader.username,
    )
    body = endpoint.body(world, actor) if endpoint.body else {}
    if endpoint.method == "get":
        response = client.get(path, body)
        if response.streaming:  # the original file: read it fully so the file is closed
            response.content_bytes = b"".join(response.streaming_content)
            response.close()
        return response
    if endpoint.method == "delete":
        return client.delete(path)
    if endpoint.method == "upload":
        return client.upload(path, body)
    return getattr(client, endpoint.method)(path, body)


def test_every_api_route_is_in_the_matrix() -> None:
    from opencontractserver.api.api import api

    schema = api.get_openapi_schema(path_prefix="/api/")
    documented = {
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        # signing in (tokens, the browser session) concerns no object: tests/api/test_auth.py and
        # test_session_auth.py
        if not path.startswith("/api/auth/")
    }
    covered = {("post" if e.method == "upload" else e.method, e.route) for e in ENDPOINTS}
    assert documented == covered


MATRIX = [
    pytest.param(
        endpoint, role, transport, id=f"{endpoint.name.replace(' ', '_')}-{role}-{transport}"
    )
    for endpoint in ENDPOINTS
    for role in ROLES
    for transport in (("bearer",) if role == "anonymous" else ("bearer", "session"))
]


@pytest.mark.parametrize(("endpoint", "role", "transport"), MATRIX)
def test_permission_matrix(
    endpoint: Endpoint, role: Role, transport: Transport, world: World
) -> None:
    response = _call(endpoint, world, role, transport)
    expected = endpoint.expected[role]
    assert response.status_code == expected, response.content
    if expected >= 400:
        body = response.json()
        assert set(body) == {"code", "message"}
        assert (
            body["code"]
            == {
                401: "not_authenticated",
                403: "permission_denied",
                404: "not_found",
            }[expected]
        )
    if role in ("stranger", "anonymous"):
        raw = response.content_bytes if response.streaming else response.content
        text = raw.decode(errors="replace")
        for secret in SECRETS:
            assert secret not in text


def test_lists_show_strangers_and_anonymous_nothing_private(world: World) -> None:
    for role in ("stranger", "anonymous"):
        client = ApiClient(_actor(world, role))
        for path in ("/api/corpuses", "/api/documents"):
            body = client.get(path).json()
            assert body["count"] == 0 and body["items"] == []
    body = ApiClient(world.stranger).get("/api/conversations").json()
    assert body["count"] == 0


def test_lists_show_shared_objects_to_reader(world: World) -> None:
    client = ApiClient(world.reader)
    assert [c["id"] for c in client.get("/api/corpuses").json()["items"]] == [world.corpus.pk]
    assert [d["id"] for d in client.get("/api/documents").json()["items"]] == [world.document.pk]
    conversations = client.get("/api/conversations").json()["items"]
    assert [c["id"] for c in conversations] == [world.conversation.pk]
    assert conversations[0]["can_write"] is False


def test_invisible_object_and_missing_object_give_the_same_404(world: World) -> None:
    client = ApiClient(world.stranger)
    hidden = client.get(f"/api/corpuses/{world.corpus.pk}")
    missing_pk = world.corpus.pk + 1000
    missing = client.get(f"/api/corpuses/{missing_pk}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["message"].replace(str(world.corpus.pk), "N") == missing.json()[
        "message"
    ].replace(str(missing_pk), "N")


def test_public_corpus_and_its_documents_are_readable_anonymously(world: World) -> None:
    world.corpus.is_public = True
    world.corpus.save()
    client = ApiClient()
    assert client.get(f"/api/corpuses/{world.corpus.pk}").status_code == 200
    text = client.get(f"/api/documents/{world.document.pk}/text").json()
    assert text["id"] == world.document.pk
    assert client.patch(f"/api/corpuses/{world.corpus.pk}", {"title": "x"}).status_code == 401
    stranger = ApiClient(world.stranger)
    assert stranger.patch(f"/api/corpuses/{world.corpus.pk}", {"title": "x"}).status_code == 403


def test_adding_a_document_one_may_only_read_is_forbidden(world: World) -> None:
    """Otherwise a reader could gain write access to it through their own corpus."""
    reader = ApiClient(world.reader)
    own = reader.post("/api/corpuses", {"title": "Reader's corpus"}).json()
    response = reader.post(
        f"/api/corpuses/{own['id']}/documents", {"document_ids": [world.document.pk]}
    )
    assert response.status_code == 403
    assert not Document.objects.writable_by(world.reader).exists()
