"""One socket's chat in the live engine: the verbs its client frames call.

The consumer (config/websocket/consumers/base.py) parses a frame, checks what only the socket
knows (the token, rate limits) and calls one verb. A verb authorizes in the turn store, starts or
continues the turn as its own task (launch.py), makes the socket's follower follow it, and
answers at once: a `LiveTurn` handle, or why not (a `ChatRefusal`, or `SubjectGone` when the
chat's document or corpus may no longer be read and the socket must close).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from config.websocket.session_log import SessionLog
from opencontractserver.conversations import turn_store
from opencontractserver.conversations.chat_refusal import ChatRefusal
from opencontractserver.conversations.models import Conversation
from opencontractserver.conversations.ownership import process_owner_key
from opencontractserver.conversations.subject import ChatSubject
from opencontractserver.conversations.turn_store import ClaimedTurn, StartedTurn, SubjectGone
from opencontractserver.llms.agents.interface import AgentScope, ChatAgent, PausedRun

from . import fanout, launch
from .db_pool import run_db, run_start_db
from .replay import Frame
from .runner import FrameSink, LiveTurnRunner, LiveTurnTarget, build_agent_or_error
from .socket_follower import SocketFollower
from .start_batches import store_start
from .stopping import stop_turn

Work = Callable[[LiveTurnRunner], Awaitable[None]]


@dataclass(frozen=True)
class LiveTurn:
    """A turn a verb started or continued: its LLM message and the task that runs it (None for
    a repeated query, whose earlier turn was replayed instead)."""

    message_id: int
    task: asyncio.Task[None] | None = None
    runner: LiveTurnRunner | None = None

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    def stop(self) -> None:
        if self.runner is not None:
            self.runner.stop()


StoredStart = (
    tuple[StartedTurn, Conversation, ChatAgent | Exception | None] | ChatRefusal | SubjectGone
)
"""A start as stored: the turn, its conversation and its agent (or why it could not be built),
or why it did not start."""

Outcome = LiveTurn | ChatRefusal | SubjectGone | None
"""What a verb answered: the turn it started, why not, or nothing to say (done)."""


class LiveChat:
    """The verbs of one socket: `start_turn`, `start_anonymous_turn`, `continue_after_decision`,
    `stop`, `resume`, and `leave` when the socket closes."""

    def __init__(
        self,
        *,
        user: Any,
        subject: ChatSubject,
        conversation: Conversation | None,
        follower: SocketFollower,
        send: FrameSink,
        log: SessionLog,
    ) -> None:
        self.user = user
        self.subject = subject
        self.conversation = conversation
        self.follower = follower
        self._send = send
        self.log = log
        self._anonymous: LiveTurn | None = None

    # --- the verbs ----------------------------------------------------------------------------

    async def start_turn(
        self, query: str, client_id: UUID | None
    ) -> LiveTurn | ChatRefusal | SubjectGone:
        """A signed-in user's question: stored with its answer-to-be, then answered by a task."""
        request = self.turn_request(query, client_id)
        if request is not None:
            result = await store_start(self, request)
        else:
            result = await run_start_db(self._store_start, query, client_id)
        if isinstance(result, ChatRefusal | SubjectGone):
            return result
        started, conversation, built = result
        if self.conversation is None or self.conversation.pk != conversation.pk:
            await self._join(conversation)
        message_id = started.llm_message_id
        if started.duplicate:
            self.log.info(message_id, "query resent with a known client_id; replaying its turn")
            refused = await self.resume(message_id, 0)
            return refused if refused is not None else LiveTurn(message_id)
        self.log.info(message_id, "turn started (conversation %s)", conversation.pk)
        self.follower.follow_from(message_id, 0)
        target = LiveTurnTarget(message_id, conversation.pk, started.user_message_id, persist=True)
        sink = self._publisher(conversation.pk, message_id)
        return self._launch(target, sink, lambda runner: runner.run_new_turn(query, built))

    async def start_anonymous_turn(self, query: str) -> LiveTurn | ChatRefusal | SubjectGone:
        """An anonymous question: never stored, streamed to this socket only, one at a time."""
        if not await run_db(turn_store.subject_visible, self.user, self.subject):
            return SubjectGone()
        if self._anonymous is not None and self._anonymous.running:
            return ChatRefusal("turn_running", "A turn is already running on this socket.")
        target = LiveTurnTarget(0, None, 0, persist=False)
        self._anonymous = self._launch(target, self._send, lambda r: r.run_new_turn(query))
        return self._anonymous

    async def continue_after_decision(
        self, message_id: int, approved: bool
    ) -> LiveTurn | ChatRefusal:
        """Claim the decision on a paused turn (exactly one claim wins), then run the rest."""
        if not self.user.is_authenticated:
            return ChatRefusal("forbidden", "Only signed-in users with write access can decide.")
        if self.conversation is None:
            return ChatRefusal("message_not_found", f"No message {message_id} in this chat.")
        decision = "approved" if approved else "rejected"
        claimed = await run_db(self._claim, self.conversation.pk, message_id, approved)
        if isinstance(claimed, ChatRefusal):
            return replace(claimed, message_id=message_id)
        if claimed.pending_tool_call is None:
            return ChatRefusal("not_awaiting_approval", "Nothing to decide.", message_id)
        self.log.info(message_id, "approval decision: %s", decision)
        self.follower.follow_from(message_id, claimed.last_seq)
        target = LiveTurnTarget(
            message_id, claimed.conversation_id, claimed.user_message_id, persist=True
        )
        sink = self._publisher(claimed.conversation_id, message_id)
        paused = PausedRun(claimed.pending_tool_call, claimed.model_messages)
        frames = claimed.frames
        return self._launch(
            target, sink, lambda r: r.run_after_decision(paused, approved, frames), claimed
        )

    async def stop(self, message_id: int) -> ChatRefusal | None:
        """STOP the turn of `message_id`, wherever it runs (engine/stopping.py)."""
        if not self.user.is_authenticated:
            anonymous = self._anonymous
            if message_id == 0 and anonymous is not None and anonymous.running:
                anonymous.stop()
                return None
            return ChatRefusal("not_running", "No turn of yours is running.", message_id)
        if self.conversation is None:
            return ChatRefusal("message_not_found", f"No message {message_id} in this chat.")
        refused = await stop_turn(
            user=self.user,
            conversation_id=self.conversation.pk,
            message_id=message_id,
            log=self.log,
        )
        return None if refused is None else replace(refused, message_id=message_id)

    async def resume(self, message_id: int, after_seq: int) -> ChatRefusal | None:
        """Send the turn's frames after `after_seq`, then follow it live."""
        sent = None
        if self.conversation is not None:
            sent = await self.follower.replay(self.conversation.pk, message_id, after_seq)
        if sent is None:
            return ChatRefusal("message_not_found", f"No message {message_id} in this chat.")
        self.log.info(message_id, "replayed %s frame(s) after seq %s", sent, after_seq)
        return None

    async def leave(self) -> None:
        """The socket closed: stop following. Stored turns run on; an anonymous turn (seen by
        nobody else) is cancelled."""
        if self.conversation is not None:
            await fanout.unfollow(self.conversation.pk, self.follower)
        anonymous = self._anonymous
        if anonymous is not None and anonymous.task is not None and not anonymous.task.done():
            anonymous.task.cancel()

    # --- the one way a turn task is made ------------------------------------------------------

    def _launch(
        self,
        target: LiveTurnTarget,
        sink: FrameSink,
        work: Work,
        so_far: ClaimedTurn | None = None,
    ) -> LiveTurn:
        """Start `work` on a runner of `target` as the turn's own task; a continued turn's
        runner goes on from what the pause stored (`so_far`)."""
        runner = LiveTurnRunner(
            target=target,
            scope=AgentScope(user=self.user, conversation=self.conversation, subject=self.subject),
            sink=sink,
            log=self.log,
            start_seq=so_far.last_seq if so_far else 0,
            content=so_far.content if so_far else "",
            sources=so_far.sources if so_far else None,
            timeline=so_far.timeline if so_far else None,
        )
        return LiveTurn(target.message_id, launch.launch(runner, work), runner)

    # --- helpers ------------------------------------------------------------------------------

    async def _join(self, conversation: Conversation) -> None:
        if self.conversation is not None:
            await fanout.unfollow(self.conversation.pk, self.follower)
        self.conversation = conversation
        await fanout.follow(conversation.pk, self.follower)

    def _publisher(self, conversation_id: int, message_id: int) -> FrameSink:
        async def publish(frame: Frame) -> None:
            await fanout.publish_turn_frame(conversation_id, message_id, frame)

        return publish

    def _store_start(self, query: str, client_id: UUID | None) -> StoredStart:
        """Store the start and, for a new turn, build its agent in the same call: a start is
        one hop to the database threads, not two (under load each hop waits for the loop)."""
        result = turn_store.start_turn(
            user=self.user,
            subject=self.subject,
            conversation_id=self.conversation.pk if self.conversation else None,
            query=query,
            client_id=client_id,
            owner_key=process_owner_key(),
        )
        return self.after_start(result)

    def turn_request(self, query: str, client_id: UUID | None) -> turn_store.TurnRequest | None:
        """The question as one of a batch of starts (start_batches.py); None when it cannot be
        (no conversation yet: the first turn creates it)."""
        if self.conversation is None:
            return None
        conversation_id = self.conversation.pk
        return turn_store.TurnRequest(self.user, self.subject, conversation_id, query, client_id)

    def after_start(self, result: StartedTurn | ChatRefusal | SubjectGone) -> StoredStart:
        """What the turn store answered, with the turn's conversation and its agent (sync: on
        the database threads, in the start's call)."""
        if isinstance(result, ChatRefusal | SubjectGone):
            return result
        if self.conversation is not None and self.conversation.pk == result.conversation_id:
            conversation = self.conversation
        else:
            conversation = Conversation.objects.select_related(
                "chat_with_document", "chat_with_corpus"
            ).get(pk=result.conversation_id)
        if result.duplicate:
            return result, conversation, None
        scope = AgentScope(user=self.user, conversation=conversation, subject=self.subject)
        return result, conversation, build_agent_or_error(scope)

    def _claim(
        self, conversation_id: int, message_id: int, approved: bool
    ) -> ClaimedTurn | ChatRefusal:
        return turn_store.claim_paused_turn(
            user=self.user,
            conversation_id=conversation_id,
            message_id=message_id,
            decision="approved" if approved else "rejected",
            owner_key=process_owner_key(),
        )
