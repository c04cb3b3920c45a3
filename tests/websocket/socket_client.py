"""A small `websockets` client for the real-socket tests."""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter
from websockets.asyncio.client import ClientConnection, connect

from config.websocket.protocol import ServerFrame

Frame = dict[str, Any]
TERMINAL = ("ASYNC_FINISH", "ASYNC_ERROR", "ASYNC_APPROVAL_NEEDED")


async def open_chat(url: str) -> tuple[ClientConnection, Frame]:
    """Connect and return the socket with its SYNC_STATE frame."""
    ws = await connect(url, open_timeout=10)
    state = await next_frame(ws)
    assert state["type"] == "SYNC_STATE", state
    return ws, state


async def next_frame(ws: ClientConnection, wait: float = 10) -> Frame:
    import asyncio

    raw = await asyncio.wait_for(ws.recv(), timeout=wait)
    frame: Frame = json.loads(raw)
    TypeAdapter(ServerFrame).validate_python(frame)
    return frame


async def frames_until_end(ws: ClientConnection) -> list[Frame]:
    frames = [await next_frame(ws)]
    while frames[-1]["type"] not in TERMINAL:
        frames.append(await next_frame(ws))
    return frames


async def send(ws: ClientConnection, payload: Frame) -> None:
    await ws.send(json.dumps(payload))


def streamed_text(frames: list[Frame]) -> str:
    return "".join(f["content"] for f in frames if f["type"] == "ASYNC_CONTENT")


def seqs(frames: list[Frame]) -> list[int]:
    return [int(f["data"]["seq"]) for f in frames]
