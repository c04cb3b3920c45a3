"""Shared fixtures: the people of the permission matrix and the objects they own. Helpers that
tests import live in tests/support/; conftest files hold only fixtures and pytest hooks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from asgiref.sync import SyncToAsync, sync_to_async
from django.db import connections
from pydantic_ai import models as pydantic_ai_models
from pydantic_ai.models import override_allow_model_requests

from opencontractserver.conversations.ownership import release_process_owner_key
from opencontractserver.corpuses.models import Corpus, CorpusShare
from opencontractserver.documents.models import Document, DocumentShare
from opencontractserver.shared.models import SharePermission
from opencontractserver.users.models import User


def pytest_configure(config: pytest.Config) -> None:
    """No test may reach a real model provider."""
    pydantic_ai_models.ALLOW_MODEL_REQUESTS = False


@pytest.fixture(scope="session")
def release_owner_key_at_end(django_db_setup: None) -> Iterator[None]:
    """Suites that run turns request this: the owner-key connection (and the connection of
    asgiref's one sync thread) must be closed before pytest-django drops the test database."""
    yield
    release_process_owner_key()
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()


@pytest.fixture
async def close_worker_thread_connections() -> AsyncIterator[None]:
    """Async ORM calls run on asgiref's worker thread; close its connection after each test so
    the test database can be dropped."""
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture
def loopback_requests_only() -> Iterator[None]:
    """Model requests stay forbidden everywhere except in tests that request this, which reach
    only a stub listening on 127.0.0.1 (tests/agents/openai_stub.py asserts the URL)."""
    with override_allow_model_requests(True):
        yield


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
