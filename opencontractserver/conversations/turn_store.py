"""Service functions that persist chat turns (PROTOCOL §5). Sync; call them via
`database_sync_to_async` from async code. The turn runner in config/websocket/engine/ drives them.

A turn is a HUMAN message and the LLM message answering it. `ChatMessage.state` is the one truth
about the turn; the LLM message's `data` is an `LlmMessageData` (conversations/message_data.py),
validated on every read and dumped on every write here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from opencontractserver.annotations.models import Annotation
from opencontractserver.annotations.sources import Source
from opencontractserver.conversations.message_data import (
    ApprovalDecision,
    ApprovalRecord,
    LlmMessageData,
    PendingToolCall,
    TimelineEntry,
    TurnErrorCode,
    Usage,
)
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.permissions import AnyUser
from opencontractserver.shared.refusals import author
from opencontractserver.users.models import User

from .chat_refusal import ChatRefusal
from .models import ChatMessage, Conversation, MessageState, MessageType
from .ownership import is_owner_alive
from .subject import ChatSubject
from .turn_start import (
    StartAnswer,
    StartRequest,
    earlier_turn_of_client_id,
    start_in_conversation,
    start_in_conversations,
)
from .turn_writes import (
    MessageUpdate,
    lock_message_data,
    lock_messages_data,
    update_message,
    update_messages,
    write_checkpoint,
    write_checkpoints,
)

logger = logging.getLogger(__name__)

ACTIVE_STATES = (MessageState.IN_PROGRESS, MessageState.AWAITING_APPROVAL)
FINISHED_STATES = (MessageState.COMPLETED, MessageState.CANCELLED, MessageState.ERROR)


@dataclass(frozen=True)
class StartedTurn:
    conversation_id: int
    user_message_id: int
    llm_message_id: int
    # True when `client_id` matched an earlier query: nothing new was created.
    duplicate: bool = False


@dataclass(frozen=True)
class ClaimedTurn:
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
class StoredTurn:
    """A stored LLM message as the replay fallback needs it."""

    message_id: int
    state: str
    content: str
    data: LlmMessageData
    owner_key: int | None
    settled_now: bool = False


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
    subject: ChatSubject,
    conversation_id: int | None,
    query: str,
    client_id: UUID | None,
    owner_key: int,
) -> StartedTurn | ChatRefusal | SubjectGone:
    """Save the HUMAN message and an `in_progress` LLM message (creating the conversation if
    needed), refusing a second running turn; a repeated `client_id` returns the earlier turn.
    Read access to the subject is checked again here, at every turn start: a share revoked
    while a socket is open ends the chat (`SubjectGone`), like a missing object. (In an
    existing conversation the lock's `writable_by` includes that check: the subject is only
    looked at on its own when the lock finds nothing, to tell `SubjectGone` from `forbidden`.)
    In an existing conversation this is one statement, one round trip (turn_start.py), unless a
    refusal or a dead process's turn needs more."""
    if conversation_id is not None:
        return _start_in_conversation(user, subject, conversation_id, query, client_id, owner_key)
    if not subject_visible(user, subject):
        return SubjectGone()
    with transaction.atomic():
        if client_id is not None:
            earlier = _turn_for_client_id(user, subject, client_id)
            if earlier is not None:
                return earlier
        # Untitled: the first completed turn names it (llms/agents/titles.py).
        conversation = Conversation.objects.create(
            creator=user,
            chat_with_document_id=subject.document_id,
            chat_with_corpus_id=subject.corpus_id,
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
            data=LlmMessageData(user_message_id=human.pk, last_seq=0).dump(),
        )
    return StartedTurn(conversation.pk, human.pk, llm.pk)


@dataclass(frozen=True)
class TurnRequest:
    """A signed-in user's question in an existing conversation, for `start_turns`."""

    user: User
    subject: ChatSubject
    conversation_id: int
    query: str
    client_id: UUID | None

    def statement_request(self) -> StartRequest:
        return StartRequest(
            user_id=self.user.pk,
            conversation_id=self.conversation_id,
            document_id=self.subject.document_id,
            corpus_id=self.subject.corpus_id,
            query=self.query,
            client_id=self.client_id,
        )


def start_turns(
    requests: list[TurnRequest], *, owner_key: int
) -> list[StartedTurn | ChatRefusal | SubjectGone]:
    """`start_turn` for several questions at once, each in an existing conversation of its own
    and all of one shape (turn_start.StartRequest.shape), in one statement. A question the
    statement started is answered from it; any other (a refusal, a resent client_id, a dead
    process's turn in the way: the statement inserted nothing for it) is answered by
    `start_turn`, as it would be alone; so is a request alone (the single statement)."""
    if len(requests) == 1:
        return [_start_alone(requests[0], owner_key)]
    answers = start_in_conversations(
        [request.statement_request() for request in requests],
        owner_key=owner_key,
        active_states=ACTIVE_STATES,
    )
    results: list[StartedTurn | ChatRefusal | SubjectGone] = []
    for request, answer in zip(requests, answers, strict=True):
        if answer.human_id is not None and answer.llm_id is not None:
            results.append(StartedTurn(request.conversation_id, answer.human_id, answer.llm_id))
        else:
            results.append(_start_alone(request, owner_key))
    return results


def _start_alone(request: TurnRequest, owner_key: int) -> StartedTurn | ChatRefusal | SubjectGone:
    return start_turn(
        user=request.user,
        subject=request.subject,
        conversation_id=request.conversation_id,
        query=request.query,
        client_id=request.client_id,
        owner_key=owner_key,
    )


def _start_in_conversation(
    user: User,
    subject: ChatSubject,
    conversation_id: int,
    query: str,
    client_id: UUID | None,
    owner_key: int,
) -> StartedTurn | ChatRefusal | SubjectGone:
    """The refusals, in the order they always had: a resent `client_id` returns its turn; a
    conversation the user may not write to is `forbidden` (or `SubjectGone`); a paused turn,
    then a running one, refuses. A turn of a dead process does not block: it is settled
    (`settle_interrupted_turns`) and the statement runs once more."""

    def run() -> StartAnswer:
        return start_in_conversation(
            user=user,
            document_id=subject.document_id,
            corpus_id=subject.corpus_id,
            conversation_id=conversation_id,
            query=query,
            client_id=client_id,
            owner_key=owner_key,
            active_states=ACTIVE_STATES,
        )

    # One statement is its own transaction (autocommit): the start is one round trip.
    answer = run()
    if answer.active_state == MessageState.IN_PROGRESS and not is_owner_alive(
        answer.active_owner_key
    ):
        # Nothing was inserted (a turn stood in the way): settle it, then start again.
        with transaction.atomic():
            settle_interrupted_turns(conversation_id)
            answer = run()
    if answer.earlier is not None:
        earlier = StartedTurn(*answer.earlier, duplicate=True)
        return earlier if subject_visible(user, subject) else SubjectGone()
    if not answer.writable:
        if not subject_visible(user, subject):
            return SubjectGone()
        return ChatRefusal("forbidden", "You may read this conversation but not write to it.")
    if answer.active_state == MessageState.AWAITING_APPROVAL:
        return ChatRefusal(
            "approval_pending",
            f"Message {answer.active_id} waits for an approval decision; decide it first.",
        )
    if answer.active_id is not None:
        return ChatRefusal(
            "turn_running",
            f"A turn is already running in this conversation (message {answer.active_id}).",
        )
    assert answer.human_id is not None and answer.llm_id is not None
    return StartedTurn(conversation_id, answer.human_id, answer.llm_id)


@dataclass(frozen=True)
class SubjectGone:
    """`start_turn`'s answer when the user may no longer read the chat's document or corpus
    (a share revoked while the socket was open): the socket closes 4004, like a missing object."""


def subject_visible(user: AnyUser, subject: ChatSubject) -> bool:
    """Whether `user` may (still) read the document and the corpus of a chat."""
    if subject.document_id is not None and not (
        Document.objects.visible_to(user).filter(pk=subject.document_id).exists()
    ):
        return False
    return subject.corpus_id is None or (
        Corpus.objects.visible_to(user).filter(pk=subject.corpus_id).exists()
    )


def _turn_for_client_id(user: User, subject: ChatSubject, client_id: UUID) -> StartedTurn | None:
    found = earlier_turn_of_client_id(user.pk, client_id, subject.document_id, subject.corpus_id)
    earlier = found.first()
    if earlier is None or earlier["llm_id"] is None:
        return None
    return StartedTurn(earlier["conversation_id"], earlier["id"], earlier["llm_id"], duplicate=True)


# --- while a turn runs ---------------------------------------------------------------------


def checkpoint_turn(message_id: int, content: str) -> None:
    """Save the text streamed so far (batched by the runner, never per token)."""
    write_checkpoint(message_id, content)


def checkpoint_turns(checkpoints: list[tuple[int, str]]) -> None:
    """`checkpoint_turn` for several running turns (message id, text) in one statement."""
    write_checkpoints(checkpoints)


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
        changes={
            "sources": sources,
            "timeline": timeline,
            "pending_tool_call": pending_tool_call,
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
        changes={"sources": sources, "timeline": timeline, "usage": usage, "last_seq": last_seq},
        model_messages=model_messages,
    )
    _link_sources(message_id, sources)


def _link_sources(message_id: int, sources: list[Source]) -> None:
    """The message cites the annotations of `sources` (none: nothing to do)."""
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
    error_code: TurnErrorCode,
    last_seq: int,
) -> None:
    """The final write of a failed turn; the partial answer is kept."""
    _write_turn(
        message_id,
        MessageState.ERROR,
        content=content,
        changes={
            "sources": sources,
            "timeline": timeline,
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
    changes: dict[str, Any],
    model_messages: list[dict[str, Any]] | None,
) -> None:
    """Apply `changes` (LlmMessageData fields) and the new state in one locked write."""
    with transaction.atomic():
        data = lock_message_data(message_id)
        if data is None:
            logger.warning("message=%s vanished before its final write", message_id)
            return
        update_message(
            message_id,
            state=state,
            content=content,
            data=_merged(data, state, changes),
            model_messages=model_messages,
            releases_owner=state != MessageState.IN_PROGRESS,
        )


def _merged(data: dict[str, Any], state: MessageState, changes: dict[str, Any]) -> dict[str, Any]:
    """The message's data with `changes` (LlmMessageData fields) applied for its new state."""
    merged = LlmMessageData.read(data).model_copy(update=changes)
    if state != MessageState.AWAITING_APPROVAL:
        merged.pending_tool_call = None
    if state in FINISHED_STATES:
        merged.frames = None
    return merged.dump()


@dataclass(frozen=True)
class TurnEnding:
    """A completed or cancelled turn's final write (`finish_turn`'s arguments)."""

    message_id: int
    state: MessageState
    content: str
    sources: list[Source]
    timeline: list[TimelineEntry]
    usage: Usage
    model_messages: list[dict[str, Any]] | None
    last_seq: int

    def changes(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "timeline": self.timeline,
            "usage": self.usage,
            "last_seq": self.last_seq,
        }


def finish_ending(ending: TurnEnding) -> None:
    """`finish_turn` of `ending`, on its own."""
    finish_turn(
        ending.message_id,
        state=ending.state,
        content=ending.content,
        sources=ending.sources,
        timeline=ending.timeline,
        usage=ending.usage,
        model_messages=ending.model_messages,
        last_seq=ending.last_seq,
    )


def finish_turns(endings: list[TurnEnding]) -> None:
    """`finish_turn` for several turns in one transaction: their rows locked (in id order) and
    read in one statement, written in one statement, then each one's citations linked."""
    with transaction.atomic():
        found = lock_messages_data([ending.message_id for ending in endings])
        updates = []
        for ending in endings:
            data = found.get(ending.message_id)
            if data is None:
                logger.warning("message=%s vanished before its final write", ending.message_id)
                continue
            updates.append(
                MessageUpdate(
                    ending.message_id,
                    ending.state,
                    ending.content,
                    _merged(data, ending.state, ending.changes()),
                    ending.model_messages,
                )
            )
        if updates:
            update_messages(updates)
    for ending in endings:
        _link_sources(ending.message_id, ending.sources)


# --- decisions on a paused turn -------------------------------------------------------------


def claim_paused_turn(
    *,
    user: AnyUser,
    conversation_id: int,
    message_id: int,
    decision: ApprovalDecision,
    owner_key: int | None,
) -> ClaimedTurn | ChatRefusal:
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
            return ChatRefusal("message_not_found", f"No message {message_id} in this chat.")
        if not Conversation.objects.writable_by(user).filter(pk=conversation_id).exists():
            return ChatRefusal("forbidden", "Only people who may write here can decide this.")
        if message.state != MessageState.AWAITING_APPROVAL:
            return ChatRefusal(
                "not_awaiting_approval", f"Message {message_id} is not awaiting approval."
            )
        data = LlmMessageData.read(message.data)
        pending, frames = data.pending_tool_call, data.frames or []
        data.approval = ApprovalRecord(
            decision=decision,
            decided_by=author(user).pk,
            decided_at=timezone.now().isoformat(),
            pending_tool_call=pending,
        )
        data.pending_tool_call, data.frames = None, None
        if decision == "cancelled":
            # The ASYNC_FINISH frame that announces it takes the next seq.
            state, owner = MessageState.CANCELLED, None
            data.last_seq += 1
        else:
            state, owner = MessageState.IN_PROGRESS, owner_key
        ChatMessage.objects.filter(pk=message_id).update(
            state=state, owner_key=owner, data=data.dump(), modified=timezone.now()
        )
    return _turn_so_far(message, data, pending, frames)


def _turn_so_far(
    message: ChatMessage,
    data: LlmMessageData,
    pending: PendingToolCall | None,
    frames: list[dict[str, Any]],
) -> ClaimedTurn:
    return ClaimedTurn(
        message_id=message.pk,
        conversation_id=message.conversation_id,
        user_message_id=data.user_message_id,
        content=message.content,
        sources=data.sources or [],
        timeline=data.timeline or [],
        last_seq=data.last_seq,
        pending_tool_call=pending,
        model_messages=list(message.model_messages or []),
        frames=frames,
    )


# --- turns whose process died: the one policy -----------------------------------------------
#
# A turn is `in_progress` only while the process that owns it lives (ownership.py). One that
# outlived its process is settled as error / `interrupted` (its partial answer kept) by
# `settle_interrupted_turns`, at exactly these moments and nowhere else:
# - when a process starts, every dead process's turns (config/websocket/application.py);
# - when a process shuts down, its own turns still left (config/websocket/shutdown.py);
# - whenever this module reads or starts a conversation's turns (`start_turn`, when its
#   statement finds a dead turn in the way; `conversation_snapshot`, `stored_turn`): nobody is
#   ever told that a dead turn is running.


def settle_interrupted_turns(conversation_id: int | None = None) -> list[int]:
    """Turn every `in_progress` message whose owning process is dead into error/interrupted.
    Safe to run from several processes at once (rows are locked, live owners are skipped).
    Called only as the policy above says."""
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
            data = LlmMessageData.read(message.data)
            data.error = "The server stopped while this answer was being written."
            data.error_code = "interrupted"
            ChatMessage.objects.filter(pk=message.pk).update(
                state=MessageState.ERROR, owner_key=None, data=data.dump(), modified=timezone.now()
            )
            settled.append(message.pk)
    if settled:
        logger.warning("settled interrupted turns: messages %s", settled)
    return settled


# --- reads -----------------------------------------------------------------------------------


def conversation_snapshot(conversation_id: int) -> ConversationSnapshot:
    """Whether a turn runs or waits for approval in this conversation (for SYNC_STATE); a dead
    process's turn is settled first."""
    settle_interrupted_turns(conversation_id)
    active = (
        ChatMessage.objects.filter(conversation_id=conversation_id, state__in=ACTIVE_STATES)
        .order_by("-id")
        .first()
    )
    if active is None:
        return ConversationSnapshot(None, None, None, None)
    data = LlmMessageData.read(active.data)
    pending = data.pending_tool_call if active.state == MessageState.AWAITING_APPROVAL else None
    return ConversationSnapshot(active.pk, active.state, pending, data.last_seq)


def may_write_conversation(user: AnyUser, conversation_id: int) -> bool:
    return bool(Conversation.objects.writable_by(user).filter(pk=conversation_id).exists())


def stored_turn(*, conversation_id: int, message_id: int) -> StoredTurn | None:
    """A turn's stored LLM message; one whose process died is settled first (`settled_now`:
    by this read, so its ending has not been announced yet)."""
    message = _llm_message(conversation_id, message_id)
    if message is None:
        return None
    settled_now = False
    if message.state == MessageState.IN_PROGRESS and not is_owner_alive(message.owner_key):
        settled_now = message.pk in settle_interrupted_turns(conversation_id)
        message = _llm_message(conversation_id, message_id)
        if message is None:
            return None
    return StoredTurn(
        message.pk,
        message.state,
        message.content,
        LlmMessageData.read(message.data),
        message.owner_key,
        settled_now,
    )


def _llm_message(conversation_id: int, message_id: int) -> ChatMessage | None:
    message: ChatMessage | None = ChatMessage.objects.filter(
        pk=message_id, conversation_id=conversation_id, msg_type=MessageType.LLM
    ).first()
    return message
