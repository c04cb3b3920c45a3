"""Why a chat client's frame was not acted on: the one refusal value of the WebSocket.

The frame parser, the consumer and the turn store all refuse with a `ChatRefusal`; the socket
sends it as one SYNC_CONTENT frame (`data.error_code`, `data.error`) and nothing is persisted.
The codes are a closed set, so the generated TypeScript has them as a union.

The HTTP API names two of these differently (documented in docs/architecture/websocket/
protocol.md): `forbidden` is HTTP's `permission_denied`, `message_not_found` is HTTP's
`not_found` (the WebSocket says which object was not found, the HTTP path already does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FrameRefusalCode = Literal[
    "invalid_json",
    "binary_frame",
    "unknown_frame",
    "invalid_frame",
    "empty_query",
    "query_too_long",
    "token_expired",
    "token_invalid",
    "token_user_mismatch",
    "replay_unavailable",
]
"""Refusals of a frame as such (its shape, size, or the token it carries)."""

TurnRefusalCode = Literal[
    "turn_running",
    "approval_pending",
    "not_awaiting_approval",
    "not_running",
    "message_not_found",
    "forbidden",
]
"""Refusals of what a well-formed frame asks of a turn."""

ChatRefusalCode = FrameRefusalCode | TurnRefusalCode


@dataclass(frozen=True)
class ChatRefusal:
    """A refused client frame: `error_code` is stable, `error` is for people, `message_id` the
    message the refused frame was about (when the refusal names one)."""

    error_code: ChatRefusalCode
    error: str
    message_id: int | None = None
