"""Fixtures for the HTTP API tests: a shared world of objects (tests/support/api_world.py),
uploads in a throwaway folder, ingestion recorded instead of run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from opencontractserver.annotations.models import Annotation
from opencontractserver.conversations.models import (
    ChatMessage,
    Conversation,
    ConversationShare,
    MessageType,
)
from opencontractserver.corpuses.models import Corpus, CorpusShare
from opencontractserver.documents.models import DocumentShare
from opencontractserver.documents.services import store_document
from opencontractserver.shared.models import SharePermission
from opencontractserver.users.models import User
from tests.support.api_world import World


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
