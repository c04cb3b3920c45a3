"""Writes on conversations: rename and soft delete (HTTP API), and the server's own writes: a
new conversation's title (llms/agents/titles.py, after the first turn) and the summary of older
turns (llms/agents/history.py, after a compaction).

The HTTP API's writes resolve and authorize their conversation themselves
(`writable_conversation`, raising `Refused`); the summary's check is `summarisable_conversation`.
(The messages of a chat turn are written by the turn store, conversations/turn_store.py.)
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from opencontractserver.shared.prepared_sql import (
    Fragment,
    compile_update,
    execute_update,
    sentinel_int,
    text_sentinel,
)
from opencontractserver.shared.refusals import Refused, not_found, writable

from .models import ChatMessage, Conversation

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


def summarisable_conversation(conversation_id: int, through_message_id: int) -> Conversation:
    """The check of the summary write: the conversation exists (locked, to be written) and
    `through_message_id` is one of its messages (`Refused` otherwise)."""
    conversation = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
    if conversation is None:
        raise not_found("Conversation", conversation_id)
    if not ChatMessage.objects.filter(pk=through_message_id, conversation=conversation).exists():
        raise Refused(
            "invalid", f"Message {through_message_id} is not in conversation {conversation_id}."
        )
    return conversation


def save_conversation_summary(conversation_id: int, summary: str, through_message_id: int) -> bool:
    """Store the summary of every turn up to and including `through_message_id`; a summary that
    covers less than the stored one is not written (False): the summary only moves forward."""
    with transaction.atomic():
        conversation = summarisable_conversation(conversation_id, through_message_id)
        stored_through = conversation.summary_through_message_id
        if stored_through is not None and through_message_id <= stored_through:
            return False
        # update(), not save(): a summary is not a change people make (`modified` stays).
        Conversation.objects.filter(pk=conversation_id).update(
            summary=summary, summary_through_message_id=through_message_id
        )
    return True


_CONVERSATION, _TITLE = sentinel_int("conversation_id", 0), text_sentinel("title")


@functools.cache
def _save_title_statement() -> Fragment:
    """Compiled once: it runs after a new conversation's first answer, on the hot path."""
    return compile_update(
        Conversation.objects.filter(pk=_CONVERSATION.value, title=""),
        {"title": _TITLE},
        [_CONVERSATION, _TITLE],
        "title",
    )


def save_title_if_blank(conversation_id: int, title: str) -> bool:
    """Store a generated `title` unless the conversation got one meanwhile (a person's wins)."""
    return bool(
        execute_update(
            _save_title_statement(), {"conversation_id": conversation_id, "title": title}
        )
    )
