"""QuerySets whose `visible_to` / `writable_by` delegate to opencontractserver.permissions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self, TypeVar

from django.apps import apps
from django.db import models

from opencontractserver import permissions

if TYPE_CHECKING:
    # The models import these querysets, so they name their models as strings (ruff does not
    # read a string type argument of a base class as a use, hence the noqa).
    from opencontractserver.conversations.models import ChatMessage, Conversation  # noqa: F401
    from opencontractserver.corpuses.models import Corpus  # noqa: F401
    from opencontractserver.documents.models import Document  # noqa: F401
    from opencontractserver.permissions import AnyUser

M = TypeVar("M", bound=models.Model)


class CorpusQuerySet(models.QuerySet["Corpus"]):
    def visible_to(self, user: AnyUser | None) -> Self:
        return self.filter(permissions.corpus_read_q(user))

    def writable_by(self, user: AnyUser | None) -> Self:
        return self.filter(permissions.corpus_write_q(user))


class DocumentQuerySet(models.QuerySet["Document"]):
    def visible_to(self, user: AnyUser | None) -> Self:
        return self.filter(permissions.document_read_q(user))

    def writable_by(self, user: AnyUser | None) -> Self:
        return self.filter(permissions.document_write_q(user))


class ConversationQuerySet(models.QuerySet["Conversation"]):
    def visible_to(self, user: AnyUser | None) -> Self:
        return self.filter(permissions.conversation_read_q(user))

    def writable_by(self, user: AnyUser | None) -> Self:
        return self.filter(permissions.conversation_write_q(user))


class DocumentChildQuerySet(models.QuerySet[M]):
    """For rows that belong to a document (annotations, notes): they follow their document."""

    def visible_to(self, user: AnyUser | None) -> Self:
        Document = apps.get_model("documents.Document")
        return self.filter(document__in=Document.objects.visible_to(user).values("pk"))

    def writable_by(self, user: AnyUser | None) -> Self:
        Document = apps.get_model("documents.Document")
        return self.filter(document__in=Document.objects.writable_by(user).values("pk"))


class ChatMessageQuerySet(models.QuerySet["ChatMessage"]):
    """Messages follow their conversation."""

    def visible_to(self, user: AnyUser | None) -> Self:
        Conversation = apps.get_model("conversations.Conversation")
        return self.filter(conversation__in=Conversation.objects.visible_to(user).values("pk"))
