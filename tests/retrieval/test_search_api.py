"""GET /api/search: the HTTP face of hybrid search, with the same permission rules."""

from __future__ import annotations

import pytest
from django.test import Client

from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.ingestion import ingest_document
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User

pytestmark = pytest.mark.django_db

TEXT = "The tenant shall pay the monthly rent on the first business day."


@pytest.fixture
def lease(owner: User) -> Document:
    document = Document.objects.create(title="lease", creator=owner, text=TEXT)
    return ingest_document(document.pk)


@pytest.fixture
def corpus(owner: User, lease: Document) -> Corpus:
    corpus = Corpus.objects.create(title="Leases", creator=owner)
    corpus.documents.add(lease)
    return corpus


Params = dict[str, str | int]


def search_params(**params: str | int) -> Params:
    return params


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_search_in_a_document_returns_sources_in_wire_form(owner: User, lease: Document) -> None:
    response = client_for(owner).get(
        "/api/search", search_params(q="when is rent due", document=lease.pk)
    )

    assert response.status_code == 200
    (source,) = response.json()
    assert source["document_id"] == lease.pk
    assert source["rawText"] == TEXT
    assert source["json"] == {"start": 0, "end": len(TEXT)}
    assert source["corpus_id"] is None
    assert 0 < source["score"] <= 1


def test_search_in_a_corpus_reports_the_corpus(owner: User, corpus: Corpus) -> None:
    response = client_for(owner).get("/api/search", search_params(q="rent", corpus=corpus.pk))

    assert response.status_code == 200
    assert [s["corpus_id"] for s in response.json()] == [corpus.pk]


@pytest.mark.parametrize("who", ["stranger", "anonymous"])
def test_a_hidden_document_or_corpus_is_not_found(
    who: str, stranger: User, lease: Document, corpus: Corpus
) -> None:
    client = client_for(stranger if who == "stranger" else None)

    scopes: list[Params] = [{"document": lease.pk}, {"corpus": corpus.pk}, {"document": 999_999}]
    for params in scopes:
        response = client.get("/api/search", search_params(q="rent", **params))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_a_public_document_is_searchable_by_anyone(lease: Document) -> None:
    lease.is_public = True
    lease.save()

    response = client_for(None).get("/api/search", search_params(q="rent", document=lease.pk))

    assert response.status_code == 200
    assert len(response.json()) == 1


def test_an_empty_corpus_is_found_and_empty(owner: User) -> None:
    corpus = Corpus.objects.create(title="Empty", creator=owner)

    response = client_for(owner).get("/api/search", search_params(q="rent", corpus=corpus.pk))

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": "  "}, "invalid_query"),
        ({"q": "rent"}, "scope_required"),
        ({"q": "rent", "limit": 0}, "invalid_limit"),
        ({"q": "rent", "limit": 51}, "invalid_limit"),
    ],
)
def test_bad_requests_say_what_is_wrong(
    owner: User, lease: Document, params: Params, code: str
) -> None:
    query: Params = {"document": lease.pk, **params} if code != "scope_required" else params

    response = client_for(owner).get("/api/search", query)

    assert response.status_code == 400
    assert response.json()["code"] == code
