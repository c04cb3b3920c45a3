"""Writes on conversations from the HTTP API: rename and soft delete.

(The messages of a chat turn are written by conversations/turn_store.py.)
"""

from __future__ import annotations

from django.utils import timezone

from .models import Conversation


def rename_conversation(conversation: Conversation, title: str) -> Conversation:
    conversation.title = title.strip()
    conversation.save(update_fields=["title", "modified"])
    return conversation


def soft_delete_conversation(conversation: Conversation) -> None:
    """Hide a conversation from everyone; its rows stay for audit and can be restored in admin."""
    if conversation.deleted_at is None:
        conversation.deleted_at = timezone.now()
        conversation.save(update_fields=["deleted_at", "modified"])
