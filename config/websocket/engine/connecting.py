"""A chat socket's handshake in one call: `open_chat` authorizes it and prepares its SYNC_STATE.

Its database work (the route's subject, the conversation to load, settling a dead process's
turns, the snapshot of a running or paused turn, the model label) is one call in the connect
lane of db_pool.py: never on Channels' one database thread, and ahead of queued turn work, so
a handshake is not left waiting behind hundreds of turns (daphne drops a handshake the
application has not accepted within 5 s). A fresh chat costs one query here (the subject; the
token's user is the middleware's one), a loaded conversation four (tests pin them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qs

from django.conf import settings

from config.websocket.ids import decode_object_id
from config.websocket.limits import hit
from config.websocket.protocol import FrameUser, PendingApproval, SyncStateData
from opencontractserver.conversations import turn_store
from opencontractserver.conversations.models import Conversation, MessageState
from opencontractserver.conversations.subject import ChatSubject
from opencontractserver.llms.agents.interface import AgentScope, get_agent_factory

from .db_pool import run_connect_db
from .fanout import LiveFollower, follow
from .launch import listen_for_remote_stops
from .replay import get_replay_buffer

logger = logging.getLogger("config.websocket")

CLOSE_NOT_AUTHENTICATED = 4000
CLOSE_TOKEN_EXPIRED = 4001
CLOSE_TOKEN_INVALID = 4002
CLOSE_NOT_FOUND = 4004
CLOSE_TOO_MANY_CONNECTIONS = 4029

Scope = Mapping[str, object]
SubjectResolver = Callable[[Any], ChatSubject | None]


class ChatFollower(LiveFollower, Protocol):
    def hold(self, message_id: int) -> None: ...

    def follow_from(self, message_id: int, seq: int) -> None: ...


@dataclass(frozen=True)
class OpenedChat:
    """An authorized socket: what it chats about and the SYNC_STATE to send it."""

    subject: ChatSubject
    conversation: Conversation | None
    sync_state: SyncStateData


@dataclass(frozen=True)
class _Found:
    subject: ChatSubject | None
    conversation: Conversation | None = None
    snapshot: turn_store.ConversationSnapshot | None = None
    model_label: str = ""


async def open_chat(
    scope: Scope, user: Any, resolve_subject: SubjectResolver, follower: ChatFollower
) -> OpenedChat | int:
    """Authorize the socket of `scope` for `user`; the chat, or the close code to send.

    On success the socket follows its conversation's frames from now on (`follower`, which
    holds them until SYNC_STATE is sent) and the SYNC_STATE data is ready."""
    problem = scope.get("oc_auth_error")
    if problem == "expired":
        return CLOSE_TOKEN_EXPIRED
    if problem is not None:
        return CLOSE_TOKEN_INVALID
    anonymous = not user.is_authenticated
    if anonymous and not settings.OC_ALLOW_ANONYMOUS_CHAT:
        return CLOSE_NOT_AUTHENTICATED
    if await hit("connect", who(scope, user), settings.OC_CONNECTIONS_PER_MINUTE) is not None:
        return CLOSE_TOO_MANY_CONNECTIONS
    query = scope.get("query_string")
    raw = parse_qs(query.decode("latin1") if isinstance(query, bytes) else "").get(
        "load_from_conversation_id"
    )
    if raw and anonymous:
        return CLOSE_NOT_AUTHENTICATED
    conversation_id = decode_object_id(raw[0], "ConversationType") if raw else None
    found = await run_connect_db(_look_up, user, resolve_subject, bool(raw), conversation_id)
    if found.subject is None:
        return CLOSE_NOT_AUTHENTICATED if anonymous else CLOSE_NOT_FOUND
    if raw and found.conversation is None:
        return CLOSE_NOT_FOUND
    state = SyncStateData(
        conversation_id=found.conversation.pk if found.conversation else None,
        user=FrameUser(id=user.pk, username=user.get_username()) if user.is_authenticated else None,
        model=found.model_label,
    )
    if not anonymous:
        await listen_for_remote_stops()  # before its turns start (then a no-op)
    if found.conversation is not None:
        await follow(found.conversation.pk, follower)
        await _describe_turn(found.snapshot, state, follower)
    return OpenedChat(found.subject, found.conversation, state)


def who(scope: Scope, user: Any) -> str:
    """Whom the rate limits count: the user, or the client's address when anonymous."""
    if user.is_authenticated:
        return f"user:{user.pk}"
    client = scope.get("client")
    host = client[0] if isinstance(client, list | tuple) and client else "unknown"
    return f"ip:{host}"


async def _describe_turn(
    snapshot: turn_store.ConversationSnapshot | None,
    state: SyncStateData,
    follower: ChatFollower,
) -> None:
    """SYNC_STATE's account of a turn that runs (its frames wait for RESUME_STREAM) or waits
    for approval (followed from its last seq)."""
    if snapshot is None or snapshot.active_message_id is None:
        return
    message_id = snapshot.active_message_id
    if snapshot.active_state == MessageState.IN_PROGRESS:
        buffered = await get_replay_buffer().last_seq(message_id)
        state.active_message_id = message_id
        state.last_seq = buffered if buffered is not None else snapshot.last_seq or 0
        follower.hold(message_id)
    elif snapshot.pending_tool_call is not None:
        state.last_seq = snapshot.last_seq or 0
        state.pending_approval = PendingApproval(
            message_id=message_id, pending_tool_call=snapshot.pending_tool_call
        )
        follower.follow_from(message_id, state.last_seq)


def _look_up(
    user: Any, resolve_subject: SubjectResolver, load: bool, conversation_id: int | None
) -> _Found:
    """Every database read of a handshake, in one call on one thread."""
    subject = resolve_subject(user)
    if subject is None:
        return _Found(None)
    conversation = None
    snapshot = None
    if load:
        conversation = _visible_conversation(user, subject, conversation_id)
        if conversation is None:
            return _Found(subject)
        snapshot = turn_store.conversation_snapshot(conversation.pk)  # settles a dead turn first
    return _Found(subject, conversation, snapshot, _model_label(user, conversation, subject))


def _visible_conversation(
    user: Any, subject: ChatSubject, conversation_id: int | None
) -> Conversation | None:
    if conversation_id is None:
        return None
    conversation: Conversation | None = (
        Conversation.objects.visible_to(user)
        .filter(
            pk=conversation_id,
            chat_with_document_id=subject.document_id,
            chat_with_corpus_id=subject.corpus_id,
        )
        .select_related("chat_with_document", "chat_with_corpus")
        .first()
    )
    return conversation


def _model_label(user: Any, conversation: Conversation | None, subject: ChatSubject) -> str:
    try:
        scope = AgentScope(user=user, conversation=conversation, subject=subject)
        agent = get_agent_factory()(scope)
        return str(agent.model_label)
    except Exception:
        logger.exception("could not build an agent for the model label")
        return "unavailable"
