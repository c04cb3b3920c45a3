"""Constraints the database itself enforces."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from opencontractserver.annotations.models import Annotation
from opencontractserver.conversations.models import (
    ChatMessage,
    Conversation,
    MessageState,
    MessageType,
)
from opencontractserver.corpuses.models import Corpus, CorpusShare
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User

pytestmark = pytest.mark.django_db


def test_database_is_postgres_with_pgvector() -> None:
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        row = cursor.fetchone()
    assert row is not None and row[0].startswith("0.")


def test_conversation_needs_a_document_or_a_corpus(owner: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Conversation.objects.create(creator=owner)


def test_annotation_span_cannot_be_negative(private_document: Document) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(document=private_document, char_start=5, char_end=2, raw_text="")


def test_one_share_per_user_and_corpus(private_corpus: Corpus, reader: User) -> None:
    CorpusShare.objects.create(corpus=private_corpus, user=reader)
    with pytest.raises(IntegrityError), transaction.atomic():
        CorpusShare.objects.create(corpus=private_corpus, user=reader)


def test_client_id_is_unique_within_a_conversation(owner: User, private_document: Document) -> None:
    conversation = Conversation.objects.create(creator=owner, chat_with_document=private_document)
    client_id = uuid.uuid4()
    ChatMessage.objects.create(
        conversation=conversation, msg_type=MessageType.HUMAN, content="a", client_id=client_id
    )
    # Messages without a client id never collide.
    ChatMessage.objects.create(conversation=conversation, msg_type=MessageType.HUMAN, content="b")
    ChatMessage.objects.create(conversation=conversation, msg_type=MessageType.HUMAN, content="c")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChatMessage.objects.create(
            conversation=conversation, msg_type=MessageType.HUMAN, content="d", client_id=client_id
        )


def test_message_state_is_an_indexed_column(owner: User, private_document: Document) -> None:
    conversation = Conversation.objects.create(creator=owner, chat_with_document=private_document)
    ChatMessage.objects.create(
        conversation=conversation, msg_type=MessageType.LLM, state=MessageState.IN_PROGRESS
    )
    assert ChatMessage.objects.filter(state=MessageState.IN_PROGRESS).count() == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s",
            [ChatMessage._meta.db_table],
        )
        index_defs = [row[0] for row in cursor.fetchall()]
    assert any("(state)" in definition for definition in index_defs)
