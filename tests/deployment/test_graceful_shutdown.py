"""SIGTERM on a real daphne process with slow scripted turns (config/websocket/shutdown.py)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from opencontractserver.conversations.models import ChatMessage, MessageState, MessageType
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.support.websocket_client import token_for
from tests.websocket.scripted_agents import words
from tests.websocket.servers import DaphneServer, RedisServer
from tests.websocket.socket_client import (
    Frame,
    frames_until_end,
    next_frame,
    open_chat,
    send,
    seqs,
    streamed_text,
)

pytestmark = pytest.mark.django_db(transaction=True)


def chat_url(server: DaphneServer, document: Document, user: User, extra: str = "") -> str:
    return f"{server.url}/ws/document/{document.pk}/query/?token={token_for(user)}{extra}"


@database_sync_to_async
def _llm_messages() -> list[ChatMessage]:
    return list(ChatMessage.objects.filter(msg_type=MessageType.LLM).order_by("id"))


async def _frames_until_closed(ws: ClientConnection) -> tuple[list[Frame], int | None]:
    """Every frame until the server closes the socket, and the close code."""
    frames: list[Frame] = []
    try:
        while True:
            frames.append(await next_frame(ws, wait=20))
    except ConnectionClosed as closed:
        return frames, closed.rcvd.code if closed.rcvd else None


async def _start_turn(
    server: DaphneServer, document: Document, user: User, script: dict[str, object]
) -> tuple[ClientConnection, list[Frame]]:
    """A socket whose turn has streamed a few frames already."""
    ws, _ = await open_chat(chat_url(server, document, user))
    await send(ws, {"query": json.dumps(script)})
    return ws, [await next_frame(ws) for _ in range(3)]


def _refuses_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except ConnectionRefusedError:
        return True


async def test_sigterm_lets_short_turns_finish_and_saves_long_ones_as_interrupted(
    owner: User, private_document: Document, tmp_path: Path
) -> None:
    server = DaphneServer(tmp_path, name="draining", env={"OC_SHUTDOWN_GRACE_SECONDS": "3"})
    server.start()
    try:
        short, short_seen = await _start_turn(
            server, private_document, owner, {"words": 40, "delay": 0.02}
        )
        long, long_seen = await _start_turn(
            server, private_document, owner, {"words": 2000, "delay": 0.01}
        )
        server.sigterm()
        short_rest, short_code = await _frames_until_closed(short)
        long_rest, long_code = await _frames_until_closed(long)
        # Both sockets are told to reconnect elsewhere, and no new connection is accepted.
        assert short_code == long_code == 4503
        assert _refuses_connections(server.port)
        assert server.wait_exit(within=20) == 0
    finally:
        server.stop()
    finished, interrupted = await _llm_messages()
    assert finished.state == MessageState.COMPLETED
    assert finished.content == words(40)
    assert interrupted.state == MessageState.ERROR
    assert interrupted.data["error_code"] == "interrupted"
    assert interrupted.owner_key is None
    # What was streamed before the signal is kept, and more: the turn ran on through the grace.
    streamed_before = streamed_text(long_seen + long_rest)
    assert streamed_before.startswith(streamed_text(long_seen))
    assert words(2000).startswith(interrupted.content)
    assert len(interrupted.content) > len(streamed_text(long_seen))
    assert seqs(short_seen + short_rest) == list(range(1, len(short_seen + short_rest) + 1))
    assert not await database_sync_to_async(
        ChatMessage.objects.filter(state=MessageState.IN_PROGRESS).exists
    )()


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    redis = RedisServer(tmp_path).start()
    try:
        yield redis.url
    finally:
        redis.stop()


async def _follow(
    server: DaphneServer, document: Document, user: User, conversation: int
) -> tuple[ClientConnection, Frame]:
    """A second socket on the conversation, through another process, following its running turn
    from the start (a turn that began before the socket waits for RESUME_STREAM)."""
    ws, state = await open_chat(
        chat_url(server, document, user, f"&load_from_conversation_id={conversation}")
    )
    active = state["data"]["active_message_id"]
    assert active is not None
    await send(ws, {"type": "RESUME_STREAM", "message_id": active, "after_seq": 0})
    return ws, state


async def test_a_rolling_restart_of_one_process_loses_nothing_of_the_turns_on_either(
    owner: User, private_document: Document, tmp_path: Path, redis_url: str
) -> None:
    a = DaphneServer(tmp_path, redis_url, name="a", env={"OC_SHUTDOWN_GRACE_SECONDS": "20"})
    b = DaphneServer(tmp_path, redis_url, name="b")
    restarted: DaphneServer | None = None
    a.start()
    b.start()
    try:
        # Conversation 1 streams on B, watched from A; conversation 2 streams on A, watched from B.
        on_b, first_on_b = await _start_turn(
            b, private_document, owner, {"words": 700, "delay": 0.01}
        )
        conversation_1 = first_on_b[0]["data"]["conversation_id"]
        watcher_on_a, _ = await _follow(a, private_document, owner, conversation_1)
        assert (await next_frame(watcher_on_a))["type"] == "ASYNC_START"
        on_a, first_on_a = await _start_turn(
            a, private_document, owner, {"words": 120, "delay": 0.01}
        )
        conversation_2 = first_on_a[0]["data"]["conversation_id"]
        watcher_on_b, state_2 = await _follow(b, private_document, owner, conversation_2)
        assert state_2["data"]["active_message_id"] == first_on_a[0]["data"]["message_id"]

        a.sigterm()
        seen_on_a, code = await _frames_until_closed(watcher_on_a)
        assert code == 4503
        # The watcher reconnects, to the restarted A, and resumes after the last frame it saw.
        restarted = DaphneServer(tmp_path, redis_url, name="a-restarted").start()
        extra = f"&load_from_conversation_id={conversation_1}"
        again, _ = await open_chat(chat_url(restarted, private_document, owner, extra))
        message_1 = first_on_b[0]["data"]["message_id"]
        after = seen_on_a[-1]["data"]["seq"]
        await send(again, {"type": "RESUME_STREAM", "message_id": message_1, "after_seq": after})
        resumed, whole_on_b = await asyncio.gather(frames_until_end(again), frames_until_end(on_b))
        whole_on_b = first_on_b + whole_on_b
        # What the watcher saw before and after its reconnect is the end of the turn, gap-free.
        by_seq = {frame["data"]["seq"]: frame for frame in whole_on_b}
        watched = seen_on_a + resumed
        assert seqs(watched) == list(range(2, seqs(whole_on_b)[-1] + 1))
        assert all(frame == by_seq[frame["data"]["seq"]] for frame in watched)
        assert streamed_text(whole_on_b) == whole_on_b[-1]["content"] == words(700)
        # The turn on the draining process finished within the grace, seen live on B.
        watched_2 = await frames_until_end(watcher_on_b)
        assert watched_2[-1]["type"] == "ASYNC_FINISH"
        assert watched_2[-1]["content"] == words(120)
        assert a.wait_exit(within=30) == 0
        for ws in (on_a, on_b, watcher_on_b, again):
            await ws.close()
    finally:
        for server in (a, b, restarted):
            if server is not None:
                server.stop()
    messages = await _llm_messages()
    assert [(m.state, m.content) for m in messages] == [
        (MessageState.COMPLETED, words(700)),
        (MessageState.COMPLETED, words(120)),
    ]
