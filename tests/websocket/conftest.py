"""Fixtures of the WebSocket suite: scripted agents, a clean channel layer, helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from pydantic import TypeAdapter

from config.websocket.application import websocket_application
from config.websocket.engine import launch
from config.websocket.protocol import ServerFrame
from tests.support.channel_layer import fresh_in_memory_channel_layer

SCRIPTED_FACTORY = "tests.websocket.scripted_agents.build_scripted_agent"


@pytest.fixture(autouse=True)
def scripted_agents(release_owner_key_at_end: None) -> Iterator[None]:
    """Every test talks to scripted agents, with a fresh in-memory channel layer."""
    with fresh_in_memory_channel_layer(OC_AGENT_FACTORY=SCRIPTED_FACTORY, OC_COALESCE_WINDOW_MS=0):
        yield


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


async def turns_settled() -> None:
    """Wait for every turn task of this process (they outlive sockets)."""
    tasks = launch.running_tasks()
    if tasks:
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=10)


def token_for(user: Any) -> str:
    from opencontractserver.users.tokens import issue_token

    return issue_token(user).access


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
