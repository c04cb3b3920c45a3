"""The behaviour both chat consumers share: a socket's handshake, its frames, its closing.

Subclasses only say what the route is about (`resolve_subject`). The consumer parses a frame,
checks what only the socket knows (the token, rate limits), calls one verb of the live engine
(`engine/live_chat.py`) and lets the socket's follower send the turn's frames. Every hook answers
quickly: a turn runs as its own task, so STOP and approvals are handled while it runs.
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

from config.websocket.engine.connecting import (
    CLOSE_NOT_AUTHENTICATED,
    CLOSE_NOT_FOUND,
    CLOSE_TOKEN_EXPIRED,
    open_chat,
    who,
)
from config.websocket.engine.frame_limits import fit_frame, wire_text
from config.websocket.engine.live_chat import LiveChat, Outcome
from config.websocket.engine.replay import Frame
from config.websocket.engine.socket_follower import SocketFollower
from config.websocket.frames import parse_client_frame, query_refusal
from config.websocket.limits import hit
from config.websocket.protocol import (
    ApprovalDecisionFrame,
    AuthFrame,
    ClientFrame,
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
from config.websocket.token_swap import swap_token
from opencontractserver.conversations.chat_refusal import ChatRefusal
from opencontractserver.conversations.subject import ChatSubject
from opencontractserver.conversations.turn_store import SubjectGone

logger = logging.getLogger("config.websocket")

BINARY_FRAME = ChatRefusal("binary_frame", "Binary frames are not supported; send JSON text.")


class ChatConsumer(AsyncWebsocketConsumer):
    """Base of DocumentQueryConsumer and CorpusQueryConsumer."""

    user: Any
    chat: LiveChat | None = None
    closed = False

    def resolve_subject(self, user: Any) -> ChatSubject | None:
        """The document/corpus of the route if it exists and `user` may read it (sync)."""
        raise NotImplementedError

    async def connect(self) -> None:
        """The handshake: accept, authorize (or close with a code), send SYNC_STATE."""
        self.log = SessionLog(logger, new_session_id())
        self.user = self.scope.get("user") or AnonymousUser()
        expires_at = self.scope.get("oc_token_expires_at")  # set by ChatAuthMiddleware
        self.token_expires_at = expires_at if isinstance(expires_at, int | float) else None
        follower = SocketFollower(self._send_frame)
        subprotocol = self.scope.get("oc_subprotocol")
        await self.accept(subprotocol=subprotocol if isinstance(subprotocol, str) else None)
        if not track_socket(self):
            await self._close(CLOSE_SERVER_RESTARTING)
            return
        opened = await open_chat(self.scope, self.user, self.resolve_subject, follower)
        if isinstance(opened, int):
            self.log.info(None, "closing %s on connect (%s)", opened, self.scope.get("path"))
            await self._close(opened)
            return
        self.chat = LiveChat(
            user=self.user,
            subject=opened.subject,
            conversation=opened.conversation,
            follower=follower,
            send=self._send_frame,
            log=self.log,
        )
        await self._send_model(SyncStateFrame(data=opened.sync_state))
        await follower.start()

    async def dispatch(self, message: Any) -> None:
        """Channels' dispatch, without its hop onto the one database thread before each hook."""
        # That hop (`close_old_connections`) held up handshakes and frames behind a busy thread;
        # this consumer's database work runs in the lanes of engine/db_pool.py, each call with a
        # fresh connection.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def disconnect(self, code: int) -> None:
        """The socket closed: stop following; stored turns run on, an anonymous one stops."""
        self.closed = True
        if self.chat is not None:
            await self.chat.leave()

    async def close_for_shutdown(self) -> None:
        """This process shuts down: 4503 tells the client to reconnect and resume."""
        self.log.info(None, "closing %s: the server is restarting", CLOSE_SERVER_RESTARTING)
        await self._close(CLOSE_SERVER_RESTARTING)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """A client frame: parsed, handed to one verb of the chat, answered at once."""
        chat = self.chat
        if self.closed or chat is None:
            return
        if self.token_expires_at is not None and time.time() >= self.token_expires_at:
            self.log.info(None, "token expired; closing")
            await self._close(CLOSE_TOKEN_EXPIRED)
            return
        frame = BINARY_FRAME if text_data is None else parse_client_frame(text_data)
        outcome = frame if isinstance(frame, ChatRefusal) else await self._act(chat, frame)
        if isinstance(outcome, SubjectGone):
            code = CLOSE_NOT_FOUND if self.user.is_authenticated else CLOSE_NOT_AUTHENTICATED
            self.log.info(None, "subject no longer visible; closing %s", code)
            await self._close(code)
        elif isinstance(outcome, ChatRefusal):
            self.log.info(outcome.message_id, "refused frame: %s", outcome.error_code)
            data = SyncContentData(
                error=outcome.error, error_code=outcome.error_code, message_id=outcome.message_id
            )
            await self._send_model(SyncContentFrame(data=data))

    async def _act(self, chat: LiveChat, frame: ClientFrame) -> Outcome:
        """Call the verb a well-formed frame asks for; what it answered."""
        if isinstance(frame, QueryFrame):
            return await self._ask(chat, frame)
        if isinstance(frame, ApprovalDecisionFrame):
            return await chat.continue_after_decision(frame.llm_message_id, frame.approval_decision)
        if isinstance(frame, StopFrame):
            return await chat.stop(frame.message_id)
        if isinstance(frame, ResumeStreamFrame):
            return await chat.resume(frame.message_id, frame.after_seq)
        assert isinstance(frame, AuthFrame)
        swapped = await swap_token(self.user, frame.token)
        if isinstance(swapped, ChatRefusal):
            return swapped
        self.token_expires_at = swapped.expires_at
        self.log.info(None, "token swapped")
        await self._send_model(SyncContentFrame(data=swapped.sync_content))
        return None

    async def _ask(self, chat: LiveChat, frame: QueryFrame) -> Outcome:
        """A query: its checks and the rate limit, then a turn (stored, or anonymous)."""
        refused = query_refusal(frame.query)
        if refused is not None:
            return refused
        limit = settings.OC_QUERIES_PER_MINUTE
        retry_after = await hit("query", who(self.scope, self.user), limit)
        if retry_after is not None:
            error = f"At most {limit} queries per minute."
            data = RateLimitedData(error=error, retry_after=retry_after)
            await self._send_model(RateLimitedFrame(data=data))
            return None
        if not self.user.is_authenticated:
            return await chat.start_anonymous_turn(frame.query)
        return await chat.start_turn(frame.query, frame.client_id)

    async def _send_frame(self, frame: Frame, text: str | None = None) -> None:
        """Send a frame (`text`: its encoding, when the fan-out made it once for all sockets)."""
        # Turn frames come straight from the fan-out (engine/fanout.py), never through Channels'
        # dispatch, so they never hop onto its database thread.
        if not self.closed:
            await self.send(text_data=text if text is not None else wire_text(fit_frame(frame)))

    async def _send_model(self, frame: BaseModel) -> None:
        """Send a frame model of the protocol."""
        await self._send_frame(frame_to_wire(frame))

    async def _close(self, code: int) -> None:
        """Close with `code`; nothing more is sent or handled."""
        self.closed = True
        await self.close(code=code)
