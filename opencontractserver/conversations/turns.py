"""Service functions that persist chat turns (PROTOCOL §5). Sync; call them via
`database_sync_to_async` from async code. The turn runner in config/websocket/turns/ drives them.

A turn is a HUMAN message and the LLM message answering it. `ChatMessage.state` is the one truth
about the turn; `ChatMessage.data` holds `user_message_id`, `sources`, `timeline`, `usage`,
`pending_tool_call`, `approval`, `error`, `error_code` and `last_seq` (the seq of the last frame
persisted with the state, so a turn resumed in another process continues its numbering).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from config.websocket.protocol import PendingToolCall, Source, TimelineEntry, Usage
from opencontractserver.annotations.models import Annotation
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.permissions import AnyUser
from opencontractserver.users.models import User

from .models import ChatMessage, Conversation, MessageState, MessageType
from .ownership import is_owner_alive

logger = logging.getLogger(__name__)

ACTIVE_STATES = (MessageState.IN_PROGRESS, MessageState.AWAITING_APPROVAL)
FINISHED_STATES = (MessageState.COMPLETED, MessageState.CANCELLED, MessageState.ERROR)


@dataclass(frozen=True)
class TurnSubject:
    """What a conversation is about: a document (maybe inside a corpus) or a whole corpus."""

    document_id: int | None
    corpus_id: int | None


@dataclass(frozen=True)
class TurnRefused:
    """Why a client frame was not acted on (sent back as SYNC_CONTENT; nothing persisted)."""

    error_code: str
    error: str


@dataclass(frozen=True)
class StartedTurn:
    conversation_id: int
    user_message_id: int
    llm_message_id: int
    # True when `client_id` matched an earlier query: nothing new was created.
    duplicate: bool = False


@dataclass(frozen=True)
class TurnSoFar:
    """A turn's persisted progress: what a resumed or cancelled paused turn starts from."""

    message_id: int
    conversation_id: int
    user_message_id: int
    content: str
    sources: list[Source]
    timeline: list[TimelineEntry]
    last_seq: int
    pending_tool_call: PendingToolCall | None = None
    model_messages: list[dict[str, Any]] = field(default_factory=list)
    frames: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class TurnRecord:
    """A stored LLM message as the replay fallback needs it."""

    message_id: int
    state: str
    content: str
    data: dict[str, Any]
    owner_key: int | None


@dataclass(frozen=True)
class ConversationSnapshot:
    active_message_id: int | None
    active_state: str | None
    pending_tool_call: PendingToolCall | None
    last_seq: int | None


# --- starting a turn -------------------------------------------------------------------------


def start_turn(
    *,
    user: User,
    subject: TurnSubject,
    conversation_id: int | None,
    query: str,
    client_id: UUID | None,
    owner_key: int,
) -> StartedTurn | TurnRefused:
    """Save the HUMAN message and an `in_progress` LLM message (creating the conversation if
    needed), refusing a second running turn; a repeated `client_id` returns the earlier turn.
    Read access to the subject is checked again here, at every turn start: a share revoked
    while a socket is open refuses the turn as `not_found`, like a missing object."""
    if not subject_visible(user, subject):
        return TurnRefused("not_found", "This document or corpus does not exist.")
    with transaction.atomic():
        if client_id is not None:
            earlier = _turn_for_client_id(user, subject, client_id)
            if earlier is not None:
                return earlier
        if conversation_id is None:
            # Untitled: the first completed turn names it (llms/agents/titles.py).
            conversation = Conversation.objects.create(
                creator=user,
                chat_with_document_id=subject.document_id,
                chat_with_corpus_id=subject.corpus_id,
            )
        else:
            locked = (
                Conversation.objects.writable_by(user)
                .filter(pk=conversation_id)
                .select_for_update(of=("self",))
                .first()
            )
            if locked is None:
                return TurnRefused(
                    "forbidden", "You may read this conversation but not write to it."
                )
            conversation = locked
            active = conversation.messages.filter(state__in=ACTIVE_STATES).first()
            if active is not None and active.state == MessageState.AWAITING_APPROVAL:
                return TurnRefused(
                    "approval_pending",
                    f"Message {active.pk} waits for an approval decision; decide it first.",
                )
            if active is not None:
                return TurnRefused(
                    "turn_running",
                    f"A turn is already running in this conversation (message {active.pk}).",
                )
        human = ChatMessage.objects.create(
            conversation=conversation,
            msg_type=MessageType.HUMAN,
            content=query,
            state=MessageState.COMPLETED,
            creator=user,
            client_id=client_id,
        )
        llm = ChatMessage.objects.create(
            conversation=conversation,
            msg_type=MessageType.LLM,
            state=MessageState.IN_PROGRESS,
            owner_key=owner_key,
            data={"user_message_id": human.pk, "last_seq": 0},
        )
    return StartedTurn(conversation.pk, human.pk, llm.pk)


def subject_visible(user: AnyUser, subject: TurnSubject) -> bool:
    """Whether `user` may (still) read the document and the corpus of a chat."""
    if subject.document_id is not None and not (
        Document.objects.visible_to(user).filter(pk=subject.document_id).exists()
    ):
        return False
    return subject.corpus_id is None or (
        Corpus.objects.visible_to(user).filter(pk=subject.corpus_id).exists()
    )


def _turn_for_client_id(user: User, subject: TurnSubject, client_id: UUID) -> StartedTurn | None:
    human = ChatMessage.objects.filter(
        creator=user,
        client_id=client_id,
        msg_type=MessageType.HUMAN,
        conversation__chat_with_document_id=subject.document_id,
        conversation__chat_with_corpus_id=subject.corpus_id,
    ).first()
    if human is None:
        return None
    llm = ChatMessage.objects.filter(
        conversation_id=human.conversation_id,
        msg_type=MessageType.LLM,
        data__user_message_id=human.pk,
    ).first()
    if llm is None:
        return None
    return StartedTurn(human.conversation_id, human.pk, llm.pk, duplicate=True)


# --- while a turn runs ---------------------------------------------------------------------


def checkpoint_turn(message_id: int, content: str) -> None:
    """Save the text streamed so far (batched by the runner, never per token)."""
    ChatMessage.objects.filter(pk=message_id, state=MessageState.IN_PROGRESS).update(
        content=content, modified=timezone.now()
    )


def pause_turn(
    message_id: int,
    *,
    content: str,
    sources: list[Source],
    timeline: list[TimelineEntry],
    pending_tool_call: PendingToolCall,
    model_messages: list[dict[str, Any]],
    last_seq: int,
    frames: list[dict[str, Any]],
) -> None:
    """The agent waits for a decision: `awaiting_approval` with everything needed to resume,
    and the turn's frames so far (replay must survive a restart without Redis)."""
    _write_turn(
        message_id,
        MessageState.AWAITING_APPROVAL,
        content=content,
        data={
            "sources": _sources_json(sources),
            "timeline": _timeline_json(timeline),
            "pending_tool_call": pending_tool_call.model_dump(mode="json"),
            "last_seq": last_seq,
            "frames": frames,
        },
        model_messages=model_messages,
    )


def finish_turn(
    message_id: int,
    *,
    state: MessageState,
    content: str,
    sources: list[Source],
    timeline: list[TimelineEntry],
    usage: Usage,
    model_messages: list[dict[str, Any]] | None,
    last_seq: int,
) -> None:
    """The final write of a completed or cancelled turn, with its citations."""
    _write_turn(
        message_id,
        state,
        content=content,
        data={
            "sources": _sources_json(sources),
            "timeline": _timeline_json(timeline),
            "usage": usage.model_dump(mode="json"),
            "last_seq": last_seq,
        },
        model_messages=model_messages,
    )
    annotation_ids = {source.annotation_id for source in sources}
    if annotation_ids:
        message = ChatMessage.objects.get(pk=message_id)
        message.source_annotations.set(Annotation.objects.filter(pk__in=annotation_ids))


def fail_turn(
    message_id: int,
    *,
    content: str,
    sources: list[Source],
    timeline: list[TimelineEntry],
    error: str,
    error_code: str,
    last_seq: int,
) -> None:
    """The final write of a failed turn; the partial answer is kept."""
    _write_turn(
        message_id,
        MessageState.ERROR,
        content=content,
        data={
            "sources": _sources_json(sources),
            "timeline": _timeline_json(timeline),
            "error": error,
            "error_code": error_code,
            "last_seq": last_seq,
        },
        model_messages=None,
    )


def _write_turn(
    message_id: int,
    state: MessageState,
    *,
    content: str,
    data: dict[str, Any],
    model_messages: list[dict[str, Any]] | None,
) -> None:
    with transaction.atomic():
        message = ChatMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            logger.warning("message=%s vanished before its final write", message_id)
            return
        merged = {**message.data, **data}
        if state != MessageState.AWAITING_APPROVAL:
            merged.pop("pending_tool_call", None)
        if state in FINISHED_STATES:
            merged.pop("frames", None)
        updates: dict[str, Any] = {
            "state": state,
            "content": content,
            "data": merged,
            "modified": timezone.now(),
        }
        if model_messages is not None:
            updates["model_messages"] = model_messages
        if state != MessageState.IN_PROGRESS:
            updates["owner_key"] = None
        ChatMessage.objects.filter(pk=message_id).update(**updates)


# --- decisions on a paused turn -------------------------------------------------------------


def claim_paused_turn(
    *,
    user: AnyUser,
    conversation_id: int,
    message_id: int,
    decision: str,
    owner_key: int | None,
) -> TurnSoFar | TurnRefused:
    """Atomically move an `awaiting_approval` message on: `approved`/`rejected` make it
    `in_progress` again (owned by this process), `cancelled` ends it. Only one caller ever wins;
    a second decision is refused, so the tool never runs twice."""
    with transaction.atomic():
        message = (
            ChatMessage.objects.select_for_update(of=("self",))
            .filter(
                pk=message_id,
                conversation_id=conversation_id,
                msg_type=MessageType.LLM,
                conversation__in=Conversation.objects.visible_to(user).values("pk"),
            )
            .first()
        )
        if message is None:
            return TurnRefused("message_not_found", f"No message {message_id} in this chat.")
        if not Conversation.objects.writable_by(user).filter(pk=conversation_id).exists():
            return TurnRefused("forbidden", "Only people who may write here can decide this.")
        if message.state != MessageState.AWAITING_APPROVAL:
            return TurnRefused(
                "not_awaiting_approval", f"Message {message_id} is not awaiting approval."
            )
        pending = PendingToolCall.model_validate(message.data.get("pending_tool_call", {}))
        data = dict(message.data)
        data["approval"] = {
            "decision": decision,
            "decided_by": user.pk,
            "decided_at": timezone.now().isoformat(),
            "pending_tool_call": data.pop("pending_tool_call", None),
        }
        frames = data.pop("frames", [])
        if decision == "cancelled":
            # The ASYNC_FINISH frame that announces it takes the next seq.
            state, owner = MessageState.CANCELLED, None
            data["last_seq"] = int(data.get("last_seq") or 0) + 1
        else:
            state, owner = MessageState.IN_PROGRESS, owner_key
        ChatMessage.objects.filter(pk=message_id).update(
            state=state, owner_key=owner, data=data, modified=timezone.now()
        )
    return _turn_so_far(message, {**data, "frames": frames}, pending)


def _turn_so_far(
    message: ChatMessage, data: dict[str, Any], pending: PendingToolCall | None
) -> TurnSoFar:
    return TurnSoFar(
        message_id=message.pk,
        conversation_id=message.conversation_id,
        user_message_id=int(data.get("user_message_id") or 0),
        content=message.content,
        sources=[Source.model_validate(s) for s in data.get("sources", [])],
        timeline=[TimelineEntry.model_validate(t) for t in data.get("timeline", [])],
        last_seq=int(data.get("last_seq") or 0),
        pending_tool_call=pending,
        model_messages=list(message.model_messages or []),
        frames=list(data.get("frames", [])),
    )


# --- crashed turns ---------------------------------------------------------------------------


def settle_interrupted_turns(conversation_id: int | None = None) -> list[int]:
    """Turn every `in_progress` message whose owning process is dead into error/interrupted.
    Safe to run from several processes at once (rows are locked, live owners are skipped)."""
    settled: list[int] = []
    with transaction.atomic():
        candidates = ChatMessage.objects.select_for_update(skip_locked=True).filter(
            state=MessageState.IN_PROGRESS, msg_type=MessageType.LLM
        )
        if conversation_id is not None:
            candidates = candidates.filter(conversation_id=conversation_id)
        for message in candidates:
            if is_owner_alive(message.owner_key):
                continue
            data = {
                **message.data,
                "error": "The server stopped while this answer was being written.",
                "error_code": "interrupted",
            }
            ChatMessage.objects.filter(pk=message.pk).update(
                state=MessageState.ERROR, owner_key=None, data=data, modified=timezone.now()
            )
            settled.append(message.pk)
    if settled:
        logger.warning("settled interrupted turns: messages %s", settled)
    return settled


# --- reads -----------------------------------------------------------------------------------


def conversation_snapshot(conversation_id: int) -> ConversationSnapshot:
    """Whether a turn runs or waits for approval in this conversation (for SYNC_STATE)."""
    active = (
        ChatMessage.objects.filter(conversation_id=conversation_id, state__in=ACTIVE_STATES)
        .order_by("-id")
        .first()
    )
    if active is None:
        return ConversationSnapshot(None, None, None, None)
    pending = None
    if active.state == MessageState.AWAITING_APPROVAL and active.data.get("pending_tool_call"):
        pending = PendingToolCall.model_validate(active.data["pending_tool_call"])
    return ConversationSnapshot(active.pk, active.state, pending, active.data.get("last_seq"))


def may_write_conversation(user: AnyUser, conversation_id: int) -> bool:
    return bool(Conversation.objects.writable_by(user).filter(pk=conversation_id).exists())


def turn_record(*, conversation_id: int, message_id: int) -> TurnRecord | None:
    message = ChatMessage.objects.filter(
        pk=message_id, conversation_id=conversation_id, msg_type=MessageType.LLM
    ).first()
    if message is None:
        return None
    return TurnRecord(message.pk, message.state, message.content, message.data, message.owner_key)


def _sources_json(sources: list[Source]) -> list[dict[str, Any]]:
    return [source.model_dump(mode="json", by_alias=True) for source in sources]


def _timeline_json(timeline: list[TimelineEntry]) -> list[dict[str, Any]]:
    return [entry.model_dump(mode="json") for entry in timeline]
