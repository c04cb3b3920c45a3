"""Shared fixtures: the people of the permission matrix and the objects they own."""

from __future__ import annotations

import pytest
from pydantic_ai import models as pydantic_ai_models

from opencontractserver.corpuses.models import Corpus, CorpusShare
from opencontractserver.documents.models import Document, DocumentShare
from opencontractserver.shared.models import SharePermission
from opencontractserver.users.models import User

# No test may reach a real model provider.
pydantic_ai_models.ALLOW_MODEL_REQUESTS = False


@pytest.fixture
def owner(db: None) -> User:
    return User.objects.create_user("owner", password="owner-pass")


@pytest.fixture
def stranger(db: None) -> User:
    return User.objects.create_user("stranger", password="stranger-pass")


@pytest.fixture
def reader(db: None) -> User:
    return User.objects.create_user("reader", password="reader-pass")


@pytest.fixture
def writer(db: None) -> User:
    return User.objects.create_user("writer", password="writer-pass")


@pytest.fixture
def private_document(owner: User) -> Document:
    return Document.objects.create(
        title="Private lease",
        creator=owner,
        text="The tenant shall pay rent monthly.",
        mime_type="text/plain",
    )


@pytest.fixture
def private_corpus(owner: User, private_document: Document) -> Corpus:
    corpus = Corpus.objects.create(title="Private corpus", creator=owner)
    corpus.documents.add(private_document)
    return corpus


@pytest.fixture
def shared_corpus(private_corpus: Corpus, reader: User, writer: User) -> Corpus:
    """The private corpus shared read-only with `reader` and read-write with `writer`."""
    CorpusShare.objects.create(corpus=private_corpus, user=reader, permission=SharePermission.READ)
    CorpusShare.objects.create(corpus=private_corpus, user=writer, permission=SharePermission.WRITE)
    return private_corpus


@pytest.fixture
def shared_document(private_document: Document, reader: User, writer: User) -> Document:
    """The private document shared read-only with `reader` and read-write with `writer`."""
    DocumentShare.objects.create(
        document=private_document, user=reader, permission=SharePermission.READ
    )
    DocumentShare.objects.create(
        document=private_document, user=writer, permission=SharePermission.WRITE
    )
    return private_document
