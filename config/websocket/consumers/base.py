"""The behaviour both chat consumers share: auth, frame parsing, errors, turns and event relay.

Subclasses only say what the route is about (`resolve_subject`). Every hook answers quickly: a
turn runs as its own task (config/websocket/engine/), so STOP and approval frames are handled while
it runs, and a turn outlives the socket that started it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from pydantic import BaseModel

from config.websocket.engine import fanout, launch
from config.websocket.engine.connecting import (
    CLOSE_NOT_AUTHENTICATED,
    CLOSE_NOT_FOUND,
    CLOSE_TOKEN_EXPIRED,
    open_chat,
    who,
)
from config.websocket.engine.db_pool import run_connect_db, run_db
from config.websocket.engine.fanout import publish_turn_frame
from config.websocket.engine.frame_limits import fit_frame, wire_text
from config.websocket.engine.replay import Frame
from config.websocket.engine.runner import TurnRunner, TurnTarget
from config.websocket.engine.stopping import stop_turn
from config.websocket.frames import parse_client_frame
from config.websocket.limits import hit
from config.websocket.middleware import token_expiry
from config.websocket.protocol import (
    ApprovalDecisionFrame,
    AuthFrame,
    QueryFrame,
    RateLimitedData,
    RateLimitedFrame,
    ResumeStreamFrame,
    StopFrame,
    SyncContentData,
    SyncContentFrame,
    SyncStateFrame,
    frame_to_wire,
)
from config.websocket.session_log import SessionLog, new_session_id
from config.websocket.shutdown import CLOSE_SERVER_RESTARTING, track_socket
from opencontractserver.conversations import turn_store
from opencontractserver.conversations.chat_refusal import ChatRefusal, ChatRefusalCode
from opencontractserver.conversations.message_data import ApprovalDecision
from opencontractserver.conversations.models import Conversation
from opencontractserver.conversations.ownership import process_owner_key
from opencontractserver.conversations.subject import ChatSubject
from opencontractserver.llms.agents.interface import AgentScope, PausedRun
from opencontractserver.users.models import User
from opencontractserver.users.tokens import TokenError, TokenProblem, user_for_token

from .following import TurnFollower

logger = logging.getLogger("config.websocket")

_TOKEN_REFUSALS: dict[TokenProblem, ChatRefusalCode] = {
    "expired": "token_expired",
    "invalid": "token_invalid",
}


class ChatConsumer(AsyncWebsocketConsumer):
    """Base of DocumentQueryConsumer and CorpusQueryConsumer."""

    user: Any
    subject: ChatSubject
    conversation: Conversation | None

    # --- what subclasses provide ----------------------------------------------------------

    def resolve_subject(self, user: Any) -> ChatSubject | None:
        """The document/corpus of the route if it exists and `user` may read it (sync)."""
        raise NotImplementedError

    # --- connection ----------------------------------------------------------------------

    async def connect(self) -> None:
        """Called on the handshake: accept, authorize (or close with a code), send SYNC_STATE."""
        self.session_id = new_session_id()
        self.log = SessionLog(logger, self.session_id)
        self.user = self.scope.get("user") or AnonymousUser()
        self.conversation = None
        expires_at = self.scope.get("oc_token_expires_at")  # set by ChatAuthMiddleware
        self.token_expires_at = expires_at if isinstance(expires_at, int | float) else None
        self.follower = TurnFollower(self._send_frame)
        self.anonymous_runner: TurnRunner | None = None
        self.anonymous_task: Any = None
        self.closed = False
        subprotocol = self.scope.get("oc_subprotocol")
        await self.accept(subprotocol=subprotocol if isinstance(subprotocol, str) else None)
        if not track_socket(self):
            await self._close(CLOSE_SERVER_RESTARTING)
            return
        opened = await open_chat(self.scope, self.user, self.resolve_subject, self.follower)
        if isinstance(opened, int):
            self.log.info(None, "closing %s on connect (%s)", opened, self.scope.get("path"))
            await self._close(opened)
            return
        self.subject, self.conversation = opened.subject, opened.conversation
        await self._send_model(SyncStateFrame(data=opened.sync_state))
        await self.follower.start()

    async def dispatch(self, message: Any) -> None:
        """Channels' dispatch hops onto its one database thread (`close_old_connections`)
        before every handler, so a busy thread held up handshakes and client frames. This
        consumer's database work runs in the lanes of engine/db_pool.py, each call with a fresh
        connection, so that hop is skipped."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def _join(self, conversation: Conversation) -> None:
        if self.conversation is not None:
            await fanout.unfollow(self.conversation.pk, self.follower)
        self.conversation = conversation
        await fanout.follow(conversation.pk, self.follower)

    def _agent_scope(self) -> AgentScope:
        return AgentScope(user=self.user, conversation=self.conversation, subject=self.subject)

    async def disconnect(self, code: int) -> None:
        """Called when the socket closes: leave the group. Persisted turns keep running;
        an anonymous turn (never persisted, seen by nobody else) is cancelled."""
        self.closed = True
        conversation = getattr(self, "conversation", None)
        if conversation is not None:
            await fanout.unfollow(conversation.pk, self.follower)
        task = getattr(self, "anonymous_task", None)
        if task is not None and not task.done():
            task.cancel()

    async def close_for_shutdown(self) -> None:
        """Called when this process shuts down: 4503 tells the client to reconnect and resume."""
        self.log.info(None, "closing %s: the server is restarting", CLOSE_SERVER_RESTARTING)
        await self._close(CLOSE_SERVER_RESTARTING)

    async def _close(self, code: int) -> None:
        self.closed = True
        await self.close(code=code)

    # --- client frames -------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Called for every client frame; dispatches it and returns at once."""
        if self.closed:
            return
        if self.token_expires_at is not None and time.time() >= self.token_expires_at:
            self.log.info(None, "token expired; closing")
            await self._close(CLOSE_TOKEN_EXPIRED)
            return
        if text_data is None:
            await self._refuse("binary_frame", "Binary frames are not supported; send JSON text.")
            return
        frame = parse_client_frame(text_data)
        if isinstance(frame, ChatRefusal):
            await self._refuse(frame.error_code, frame.error)
        elif isinstance(frame, QueryFrame):
            await self._on_query(frame)
        elif isinstance(frame, ApprovalDecisionFrame):
            await self._on_decision(frame)
        elif isinstance(frame, StopFrame):
            await self._on_stop(frame)
        elif isinstance(frame, ResumeStreamFrame):
            await self._on_resume(frame)
        else:
            await self._on_auth(frame)

    async def _on_query(self, frame: QueryFrame) -> None:
        query = frame.query
        if not query.strip():
            await self._refuse("empty_query", "The query is empty.")
            return
        if len(query) > settings.OC_MAX_QUERY_CHARS:
            await self._refuse(
                "query_too_long",
                f"The query is longer than {settings.OC_MAX_QUERY_CHARS} characters.",
            )
            return
        retry_after = await hit("query", self._who(), settings.OC_QUERIES_PER_MINUTE)
        if retry_after is not None:
            await self._send_model(
                RateLimitedFrame(
                    data=RateLimitedData(
                        error=f"At most {settings.OC_QUERIES_PER_MINUTE} queries per minute.",
                        retry_after=retry_after,
                    )
                )
            )
            return
        if not self.user.is_authenticated:
            if not await run_db(turn_store.subject_visible, self.user, self.subject):
                # As on connect: what an anonymous user may not read needs a login.
                await self._close(CLOSE_NOT_AUTHENTICATED)
                return
            await self._start_anonymous_turn(query)
            return
        result = await run_db(self._start_turn, frame)
        if isinstance(result, turn_store.SubjectGone):
            self.log.info(None, "subject no longer visible; closing %s", CLOSE_NOT_FOUND)
            await self._close(CLOSE_NOT_FOUND)
            return
        if isinstance(result, ChatRefusal):
            await self._refuse(result.error_code, result.error)
            return
        started, conversation = result
        if self.conversation is None or self.conversation.pk != conversation.pk:
            await self._join(conversation)
        message_id = started.llm_message_id
        if started.duplicate:
            self.log.info(message_id, "query resent with a known client_id; replaying its turn")
            await self._replay_and_follow(message_id, 0)
            return
        self.log.info(message_id, "turn started (conversation %s)", conversation.pk)
        self.follower.follow_from(message_id, 0)
        runner = TurnRunner(
            target=TurnTarget(message_id, conversation.pk, started.user_message_id, persist=True),
            scope=self._agent_scope(),
            sink=self._publisher(conversation.pk, message_id),
            log=self.log,
        )
        launch.launch(runner, lambda r: r.run_new_turn(query))

    def _start_turn(
        self, frame: QueryFrame
    ) -> tuple[turn_store.StartedTurn, Conversation] | ChatRefusal | turn_store.SubjectGone:
        user: User = self.user
        conversation_id = self.conversation.pk if self.conversation else None
        if conversation_id is not None:
            turn_store.settle_interrupted_turns(conversation_id)
        result = turn_store.start_turn(
            user=user,
            subject=self.subject,
            conversation_id=conversation_id,
            query=frame.query,
            client_id=frame.client_id,
            owner_key=process_owner_key(),
        )
        if isinstance(result, ChatRefusal | turn_store.SubjectGone):
            return result
        if self.conversation is not None and self.conversation.pk == result.conversation_id:
            return result, self.conversation
        conversation = Conversation.objects.select_related(
            "chat_with_document", "chat_with_corpus"
        ).get(pk=result.conversation_id)
        return result, conversation

    async def _start_anonymous_turn(self, query: str) -> None:
        if self.anonymous_task is not None and not self.anonymous_task.done():
            await self._refuse("turn_running", "A turn is already running on this socket.")
            return
        runner = TurnRunner(
            target=TurnTarget(0, None, 0, persist=False),
            scope=self._agent_scope(),
            sink=self._send_frame,
            log=self.log,
        )
        self.anonymous_runner = runner
        self.anonymous_task = launch.launch(runner, lambda r: r.run_new_turn(query))

    async def _on_decision(self, frame: ApprovalDecisionFrame) -> None:
        message_id = frame.llm_message_id
        if not self.user.is_authenticated:
            await self._refuse("forbidden", "Only signed-in users with write access can decide.")
            return
        if self.conversation is None:
            await self._refuse("message_not_found", f"No message {message_id} in this chat.")
            return
        decision: ApprovalDecision = "approved" if frame.approval_decision else "rejected"
        claimed = await run_db(self._claim, message_id, decision)
        if isinstance(claimed, ChatRefusal):
            await self._refuse(claimed.error_code, claimed.error, message_id)
            return
        if claimed.pending_tool_call is None:
            await self._refuse("not_awaiting_approval", "Nothing to decide.", message_id)
            return
        self.log.info(message_id, "approval decision: %s", decision)
        self.follower.follow_from(message_id, claimed.last_seq)
        paused = PausedRun(claimed.pending_tool_call, claimed.model_messages)
        runner = TurnRunner(
            target=TurnTarget(
                message_id, claimed.conversation_id, claimed.user_message_id, persist=True
            ),
            scope=self._agent_scope(),
            sink=self._publisher(claimed.conversation_id, message_id),
            log=self.log,
            start_seq=claimed.last_seq,
            content=claimed.content,
            sources=claimed.sources,
            timeline=claimed.timeline,
        )
        approved = frame.approval_decision
        launch.launch(runner, lambda r: r.run_after_decision(paused, approved, claimed.frames))

    def _claim(
        self, message_id: int, decision: ApprovalDecision
    ) -> turn_store.TurnSoFar | ChatRefusal:
        assert self.conversation is not None
        return turn_store.claim_paused_turn(
            user=self.user,
            conversation_id=self.conversation.pk,
            message_id=message_id,
            decision=decision,
            owner_key=process_owner_key(),
        )

    async def _on_stop(self, frame: StopFrame) -> None:
        message_id = frame.message_id
        if not self.user.is_authenticated:
            runner = self.anonymous_runner
            if message_id == 0 and runner is not None and not self.anonymous_task.done():
                runner.stop()
            else:
                await self._refuse("not_running", "No turn of yours is running.", message_id)
            return
        if self.conversation is None:
            await self._refuse("message_not_found", f"No message {message_id} in this chat.")
            return
        refused = await stop_turn(
            user=self.user,
            conversation_id=self.conversation.pk,
            message_id=message_id,
            log=self.log,
        )
        if refused is not None:
            await self._refuse(refused.error_code, refused.error, message_id)

    async def _on_resume(self, frame: ResumeStreamFrame) -> None:
        await self._replay_and_follow(frame.message_id, frame.after_seq)

    async def _replay_and_follow(self, message_id: int, after_seq: int) -> None:
        sent = None
        if self.conversation is not None:
            sent = await self.follower.replay(self.conversation.pk, message_id, after_seq)
        if sent is None:
            await self._refuse("message_not_found", f"No message {message_id} in this chat.")
            return
        self.log.info(message_id, "replayed %s frame(s) after seq %s", sent, after_seq)

    async def _on_auth(self, frame: AuthFrame) -> None:
        try:
            user = await run_connect_db(user_for_token, frame.token)
        except TokenError as exc:
            await self._refuse(_TOKEN_REFUSALS[exc.problem], str(exc))
            return
        if not self.user.is_authenticated or user.pk != self.user.pk:
            await self._refuse(
                "token_user_mismatch", "The token is for another user; reconnect to switch users."
            )
            return
        self.token_expires_at = token_expiry(frame.token)
        expires = (
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.token_expires_at))
            if self.token_expires_at
            else None
        )
        self.log.info(None, "token swapped")
        await self._send_model(SyncContentFrame(data=SyncContentData(token_expires_at=expires)))

    # --- helpers -------------------------------------------------------------------------

    def _publisher(self, conversation_id: int, message_id: int) -> Any:
        async def publish(frame: Frame) -> None:
            await publish_turn_frame(conversation_id, message_id, frame)

        return publish

    def _who(self) -> str:
        return who(self.scope, self.user)

    async def _send_frame(self, frame: Frame, text: str | None = None) -> None:
        """Send a frame; `text` is its encoding when the fan-out made it already (once for all
        sockets). Turn frames come straight from the fan-out (engine/fanout.py), never through
        Channels' dispatch, so they never hop onto its database thread."""
        if not self.closed:
            await self.send(text_data=text if text is not None else wire_text(fit_frame(frame)))

    async def _send_model(self, frame: BaseModel) -> None:
        await self._send_frame(frame_to_wire(frame))

    async def _refuse(
        self, error_code: ChatRefusalCode, error: str, message_id: int | None = None
    ) -> None:
        self.log.info(message_id, "refused frame: %s", error_code)
        await self._send_model(
            SyncContentFrame(
                data=SyncContentData(error=error, error_code=error_code, message_id=message_id)
            )
        )
