"""Conversations: list, detail, messages, rename, (soft) delete. Chat turns go over WebSockets."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Left
from django.http import HttpRequest
from ninja import Query, Router, Status

from opencontractserver.api.auth import signed_in_caller
from opencontractserver.api.paging import paginate
from opencontractserver.api.readable_rows import readable_rows
from opencontractserver.api.schemas import (
    ERRORS,
    ConversationFilters,
    ConversationOut,
    ConversationPatch,
    MessageOut,
    Page,
    PageParams,
)
from opencontractserver.conversations import services
from opencontractserver.conversations.models import ChatMessage, Conversation, MessageType
from opencontractserver.shared.refusals import readable
from opencontractserver.users.models import User

router = Router(tags=["conversations"])


# How much of the first question a conversation list carries (the fallback for an untitled one).
FIRST_QUESTION_CHARS = 200


def _conversations_for(user: User) -> Any:
    """The conversations `user` may read, with what ConversationOut shows."""
    first_question = (
        ChatMessage.objects.filter(conversation=OuterRef("pk"), msg_type=MessageType.HUMAN)
        .order_by("created", "id")
        .values("content")[:1]
    )
    return readable_rows(
        Conversation,
        user,
        message_count=Count("messages"),
        first_question=Left(Subquery(first_question), FIRST_QUESTION_CHARS),
    )


def _conversation_out(user: User, conversation_id: int) -> Conversation:
    conversation: Conversation = readable(_conversations_for(user), "Conversation", conversation_id)
    return conversation


@router.get("/conversations", response={200: Page[ConversationOut], **ERRORS})
def list_conversations(request: HttpRequest, filters: Query[ConversationFilters]) -> dict[str, Any]:
    """Your conversations (and those shared with you), newest first."""
    conversations = _conversations_for(signed_in_caller(request))
    if filters.document_id is not None:
        conversations = conversations.filter(chat_with_document_id=filters.document_id)
    if filters.corpus_id is not None:
        conversations = conversations.filter(chat_with_corpus_id=filters.corpus_id)
    if filters.search:
        conversations = conversations.filter(title__icontains=filters.search)
    if filters.created_after is not None:
        conversations = conversations.filter(created__gte=filters.created_after)
    if filters.created_before is not None:
        conversations = conversations.filter(created__lt=filters.created_before)
    return paginate(conversations.order_by("-created", "-id"), filters)


@router.get("/conversations/{conversation_id}", response={200: ConversationOut, **ERRORS})
def get_conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    return _conversation_out(signed_in_caller(request), conversation_id)


@router.get("/conversations/{conversation_id}/messages", response={200: Page[MessageOut], **ERRORS})
def list_messages(
    request: HttpRequest, conversation_id: int, paging: Query[PageParams]
) -> dict[str, Any]:
    """The messages of a conversation, oldest first."""
    user = signed_in_caller(request)
    readable(Conversation.objects.visible_to(user), "Conversation", conversation_id)
    messages = (
        ChatMessage.objects.visible_to(user)
        .filter(conversation_id=conversation_id)
        .select_related("creator")
        .order_by("created", "id")
    )
    return paginate(messages, paging)


@router.patch("/conversations/{conversation_id}", response={200: ConversationOut, **ERRORS})
def rename_conversation(
    request: HttpRequest, conversation_id: int, payload: ConversationPatch
) -> Conversation:
    user = signed_in_caller(request)
    services.rename_conversation(user, conversation_id, payload.title)
    return _conversation_out(user, conversation_id)


@router.delete("/conversations/{conversation_id}", response={204: None, **ERRORS})
def delete_conversation(request: HttpRequest, conversation_id: int) -> Status[None]:
    """Delete a conversation (soft: it disappears for everyone, its rows are kept)."""
    services.soft_delete_conversation(signed_in_caller(request), conversation_id)
    return Status(204, None)
