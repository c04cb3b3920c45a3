"""The permission rules of opencontractserver.permissions, row by row."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from opencontractserver.annotations.models import Annotation
from opencontractserver.conversations.models import (
    ChatMessage,
    Conversation,
    ConversationShare,
    MessageType,
)
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.shared.models import SharePermission
from opencontractserver.users.models import User

pytestmark = pytest.mark.django_db


def test_private_document_is_visible_only_to_its_owner(
    owner: User, stranger: User, private_document: Document
) -> None:
    assert list(Document.objects.visible_to(owner)) == [private_document]
    assert not Document.objects.visible_to(stranger).exists()
    assert not Document.objects.visible_to(AnonymousUser()).exists()
    assert not Document.objects.visible_to(None).exists()


def test_public_document_is_visible_to_everyone_but_writable_only_by_owner(
    owner: User, stranger: User, private_document: Document
) -> None:
    private_document.is_public = True
    private_document.save()
    for user in (owner, stranger, AnonymousUser()):
        assert list(Document.objects.visible_to(user)) == [private_document]
    assert list(Document.objects.writable_by(owner)) == [private_document]
    assert not Document.objects.writable_by(stranger).exists()
    assert not Document.objects.writable_by(AnonymousUser()).exists()


def test_document_share_grants_read_and_write_as_given(
    reader: User, writer: User, stranger: User, shared_document: Document
) -> None:
    assert list(Document.objects.visible_to(reader)) == [shared_document]
    assert list(Document.objects.visible_to(writer)) == [shared_document]
    assert not Document.objects.writable_by(reader).exists()
    assert list(Document.objects.writable_by(writer)) == [shared_document]
    assert not Document.objects.visible_to(stranger).exists()


def test_corpus_share_grants_its_documents(
    reader: User, writer: User, stranger: User, shared_corpus: Corpus, private_document: Document
) -> None:
    assert list(Corpus.objects.visible_to(reader)) == [shared_corpus]
    assert list(Document.objects.visible_to(reader)) == [private_document]
    assert not Corpus.objects.writable_by(reader).exists()
    assert not Document.objects.writable_by(reader).exists()
    assert list(Corpus.objects.writable_by(writer)) == [shared_corpus]
    assert list(Document.objects.writable_by(writer)) == [private_document]
    assert not Corpus.objects.visible_to(stranger).exists()
    assert not Document.objects.visible_to(stranger).exists()


def test_public_corpus_exposes_its_documents_to_anonymous(
    private_corpus: Corpus, private_document: Document
) -> None:
    private_corpus.is_public = True
    private_corpus.save()
    assert list(Corpus.objects.visible_to(AnonymousUser())) == [private_corpus]
    assert list(Document.objects.visible_to(AnonymousUser())) == [private_document]


def test_visible_to_returns_no_duplicates_with_several_grants(
    owner: User, reader: User, shared_corpus: Corpus, private_document: Document
) -> None:
    second = Corpus.objects.create(title="Second", creator=owner, is_public=True)
    second.documents.add(private_document)
    private_document.is_public = True
    private_document.save()
    assert Document.objects.visible_to(reader).count() == 1


def test_annotations_follow_their_document(
    owner: User, stranger: User, private_document: Document
) -> None:
    annotation = Annotation.objects.create(
        document=private_document, char_start=0, char_end=10, raw_text="The tenant"
    )
    assert list(Annotation.objects.visible_to(owner)) == [annotation]
    assert not Annotation.objects.visible_to(stranger).exists()


def test_conversations_are_private_to_their_creator_unless_shared(
    owner: User, reader: User, shared_document: Document
) -> None:
    conversation = Conversation.objects.create(creator=owner, chat_with_document=shared_document)
    message = ChatMessage.objects.create(
        conversation=conversation, msg_type=MessageType.HUMAN, content="hi", creator=owner
    )
    assert list(Conversation.objects.visible_to(owner)) == [conversation]
    assert not Conversation.objects.visible_to(reader).exists()
    assert not ChatMessage.objects.visible_to(reader).exists()

    ConversationShare.objects.create(
        conversation=conversation, user=reader, permission=SharePermission.READ
    )
    assert list(Conversation.objects.visible_to(reader)) == [conversation]
    assert list(ChatMessage.objects.visible_to(reader)) == [message]
    assert not Conversation.objects.writable_by(reader).exists()
    assert list(Conversation.objects.writable_by(owner)) == [conversation]


def test_conversation_disappears_when_its_document_is_no_longer_readable(
    owner: User, reader: User, shared_document: Document
) -> None:
    conversation = Conversation.objects.create(creator=reader, chat_with_document=shared_document)
    assert list(Conversation.objects.visible_to(reader)) == [conversation]
    shared_document.shares.filter(user=reader).delete()
    assert not Conversation.objects.visible_to(reader).exists()


def test_soft_deleted_conversation_is_invisible(owner: User, private_document: Document) -> None:
    from django.utils import timezone

    conversation = Conversation.objects.create(creator=owner, chat_with_document=private_document)
    conversation.deleted_at = timezone.now()
    conversation.save()
    assert not Conversation.objects.visible_to(owner).exists()


def test_anonymous_has_no_conversations(private_document: Document, owner: User) -> None:
    private_document.is_public = True
    private_document.save()
    Conversation.objects.create(creator=owner, chat_with_document=private_document)
    assert not Conversation.objects.visible_to(AnonymousUser()).exists()
