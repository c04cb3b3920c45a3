"""Fixtures for the HTTP API tests: a shared world of objects and authenticated clients."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from opencontractserver.annotations.models import Annotation
from opencontractserver.conversations.models import (
    ChatMessage,
    Conversation,
    ConversationShare,
    MessageType,
)
from opencontractserver.corpuses.models import Corpus, CorpusShare
from opencontractserver.documents.models import Document, DocumentShare
from opencontractserver.documents.services import store_document
from opencontractserver.shared.models import SharePermission
from opencontractserver.users.models import User
from opencontractserver.users.tokens import issue_token


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files go to a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture(autouse=True)
def submitted_ingestions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the ingestion hand-off instead of running it (ingestion has its own tests)."""
    submitted: list[int] = []
    monkeypatch.setattr("opencontractserver.documents.services.submit_ingestion", submitted.append)
    return submitted


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user).access}"}


Transport = Literal["bearer", "session"]


class ApiClient:
    """django.test.Client with JSON helpers, signed in with a Bearer token or a browser session.

    A session client enforces CSRF like a browser and sends the token on every request.
    """

    def __init__(self, user: User | None = None, transport: Transport = "bearer") -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.headers: dict[str, str] = {}
        if user is None:
            return
        if transport == "bearer":
            self.headers = bearer(user)
        else:
            self.client.force_login(user)
            self.client.get("/accounts/login/")  # sets the csrftoken cookie
            self.headers = {"X-CSRFToken": self.client.cookies["csrftoken"].value}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self.headers)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(path, headers=self.headers)

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data, headers=self.headers)


@dataclass
class World:
    """A private corpus with one document, shared read with `reader` and write with `writer`,
    and the owner's conversation about that document, shared the same way."""

    owner: User
    reader: User
    writer: User
    stranger: User
    third: User
    corpus: Corpus
    document: Document
    annotation: Annotation
    conversation: Conversation
    message: ChatMessage


@pytest.fixture
def world(owner: User, reader: User, writer: User, stranger: User) -> World:
    third = User.objects.create_user("third", password="third-pass")
    corpus = Corpus.objects.create(title="Private corpus", creator=owner)
    document = store_document(
        creator=owner,
        upload=ContentFile(b"The tenant shall pay rent monthly.", name="lease.txt"),
        title="Private lease",
        corpus=corpus,
    )
    annotation = Annotation.objects.create(
        document=document, page=1, char_start=0, char_end=10, raw_text="The tenant", structural=True
    )
    # A direct share too, so that withdrawing it can be tested (the corpus share still applies).
    DocumentShare.objects.create(document=document, user=reader, permission=SharePermission.READ)
    CorpusShare.objects.create(corpus=corpus, user=reader, permission=SharePermission.READ)
    CorpusShare.objects.create(corpus=corpus, user=writer, permission=SharePermission.WRITE)
    conversation = Conversation.objects.create(
        title="Rent questions", creator=owner, chat_with_document=document, chat_with_corpus=corpus
    )
    ConversationShare.objects.create(
        conversation=conversation, user=reader, permission=SharePermission.READ
    )
    ConversationShare.objects.create(
        conversation=conversation, user=writer, permission=SharePermission.WRITE
    )
    message = ChatMessage.objects.create(
        conversation=conversation, msg_type=MessageType.HUMAN, content="When is rent due?"
    )
    return World(
        owner=owner,
        reader=reader,
        writer=writer,
        stranger=stranger,
        third=third,
        corpus=corpus,
        document=document,
        annotation=annotation,
        conversation=conversation,
        message=message,
    )
