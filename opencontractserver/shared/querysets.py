"""QuerySets whose `visible_to` / `writable_by` delegate to opencontractserver.permissions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.db import models

from opencontractserver import permissions

if TYPE_CHECKING:
    from opencontractserver.permissions import AnyUser

M = TypeVar("M", bound=models.Model)


class CorpusQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: AnyUser | None) -> CorpusQuerySet:
        return self.filter(permissions.corpus_read_q(user))

    def writable_by(self, user: AnyUser | None) -> CorpusQuerySet:
        return self.filter(permissions.corpus_write_q(user))


class DocumentQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: AnyUser | None) -> DocumentQuerySet:
        return self.filter(permissions.document_read_q(user))

    def writable_by(self, user: AnyUser | None) -> DocumentQuerySet:
        return self.filter(permissions.document_write_q(user))


class ConversationQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: AnyUser | None) -> ConversationQuerySet:
        return self.filter(permissions.conversation_read_q(user))

    def writable_by(self, user: AnyUser | None) -> ConversationQuerySet:
        return self.filter(permissions.conversation_write_q(user))


class DocumentChildQuerySet(models.QuerySet[Any]):
    """For rows that belong to a document (annotations, notes): they follow their document."""

    def visible_to(self, user: AnyUser | None) -> DocumentChildQuerySet:
        Document = apps.get_model("documents.Document")
        return self.filter(document__in=Document.objects.visible_to(user).values("pk"))

    def writable_by(self, user: AnyUser | None) -> DocumentChildQuerySet:
        Document = apps.get_model("documents.Document")
        return self.filter(document__in=Document.objects.writable_by(user).values("pk"))


class ChatMessageQuerySet(models.QuerySet[Any]):
    """Messages follow their conversation."""

    def visible_to(self, user: AnyUser | None) -> ChatMessageQuerySet:
        Conversation = apps.get_model("conversations.Conversation")
        return self.filter(conversation__in=Conversation.objects.visible_to(user).values("pk"))
