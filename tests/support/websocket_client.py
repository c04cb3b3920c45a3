"""Talking to the real WebSocket application in a test: paths with a token, connecting,
frames validated against the protocol, and the close code of a refused connection."""

from __future__ import annotations

from typing import Any

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from pydantic import TypeAdapter

from config.websocket.application import websocket_application
from config.websocket.protocol import ServerFrame
from opencontractserver.users.tokens import issue_token


def communicator(
    path: str,
    *,
    headers: list[tuple[bytes, bytes]] | None = None,
    subprotocols: list[str] | None = None,
) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        websocket_application(), path, headers=headers or [], subprotocols=subprotocols
    )


SERVER_FRAME: TypeAdapter[Any] = TypeAdapter(ServerFrame)


async def receive(comm: WebsocketCommunicator, wait: float = 5) -> dict[str, Any]:
    """The next frame, validated against the protocol's ServerFrame schema."""
    frame: dict[str, Any] = await comm.receive_json_from(timeout=wait)
    SERVER_FRAME.validate_python(frame)
    return frame


async def receive_turn(comm: WebsocketCommunicator, wait: float = 5) -> list[dict[str, Any]]:
    """Frames until one that ends the turn's task (FINISH, ERROR or APPROVAL_NEEDED)."""
    frames = []
    while True:
        frame = await receive(comm, wait)
        frames.append(frame)
        if frame["type"] in ("ASYNC_FINISH", "ASYNC_ERROR", "ASYNC_APPROVAL_NEEDED"):
            return frames


def token_for(user: Any) -> str:
    return issue_token(user).access


def session_cookie(user: Any) -> bytes:
    """A `Cookie` header value for a signed-in Django session of `user` (sync: it writes)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()


def document_path(document_id: object, user: Any = None, extra: str = "") -> str:
    query = f"?token={token_for(user)}" if user is not None else "?"
    return f"/ws/document/{document_id}/query/{query}{extra}"


async def connected(path: str, **kwargs: Any) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    """A connected communicator and its SYNC_STATE frame."""
    comm = communicator(path, **kwargs)
    ok, _subprotocol = await comm.connect()
    assert ok
    state = await receive(comm)
    assert state["type"] == "SYNC_STATE", state
    return comm, state


async def close_code(path: str, **kwargs: Any) -> int:
    """The close code the server answers a connection attempt with."""
    comm = communicator(path, **kwargs)
    ok, _ = await comm.connect()
    assert ok, "the server accepts before closing with a code"
    output = await comm.receive_output(timeout=5)
    assert output["type"] == "websocket.close", output
    code: int = output["code"]
    return code
