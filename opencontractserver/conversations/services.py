"""Writes on conversations: rename and soft delete (HTTP API), and a new conversation's title.

The HTTP API's writes resolve and authorize their conversation themselves (`writable_conversation`,
raising `Refused`); the title is the server's own (llms/agents/titles.py, after the first turn).
(The messages of a chat turn are written by the turn store, conversations/turn_store.py.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from opencontractserver.shared.refusals import writable

from .models import Conversation

if TYPE_CHECKING:
    from opencontractserver.permissions import AnyUser


def writable_conversation(user: AnyUser, conversation_id: int) -> Conversation:
    """The check of every conversation write (`Refused` unless `user` may change it)."""
    return writable(
        Conversation.objects.visible_to(user),
        Conversation.objects.writable_by(user),
        "Conversation",
        conversation_id,
    )


def rename_conversation(user: AnyUser, conversation_id: int, title: str) -> Conversation:
    with transaction.atomic():
        conversation = writable_conversation(user, conversation_id)
        conversation.title = title.strip()
        conversation.save(update_fields=["title", "modified"])
    return conversation


def soft_delete_conversation(user: AnyUser, conversation_id: int) -> None:
    """Hide a conversation from everyone; its rows stay for audit and can be restored in admin."""
    with transaction.atomic():
        conversation = writable_conversation(user, conversation_id)
        if conversation.deleted_at is None:
            conversation.deleted_at = timezone.now()
            conversation.save(update_fields=["deleted_at", "modified"])


def save_title_if_blank(conversation_id: int, title: str) -> bool:
    """Store a generated `title` unless the conversation got one meanwhile (a person's wins)."""
    return bool(Conversation.objects.filter(pk=conversation_id, title="").update(title=title))
