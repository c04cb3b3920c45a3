"""The fault suite's process faults (real daphne processes on the test database): kill -9 while a
turn waits for approval, a client that vanishes mid-stream, and Redis restarted mid-turn under two
daphne processes. Each asserts what the user sees, the final states, that no completed message or
earlier history is lost, and that the conversation is not left blocked."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from channels.db import database_sync_to_async

from opencontractserver.annotations.models import Note
from opencontractserver.conversations.models import ChatMessage, MessageState
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.support.websocket_client import token_for
from tests.websocket.scripted_agents import words
from tests.websocket.servers import DaphneServer, RedisServer
from tests.websocket.socket_client import (
    frames_until_end,
    next_frame,
    open_chat,
    send,
    seqs,
    streamed_text,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def log_dir() -> Path:
    # Not under pytest's basetemp: concurrent pytest runs on this machine prune each other's.
    return Path(tempfile.mkdtemp(prefix="oc-faults-"))


def chat_url(server: DaphneServer, document: Document, user: User, extra: str = "") -> str:
    return f"{server.url}/ws/document/{document.pk}/query/?token={token_for(user)}{extra}"


@database_sync_to_async
def _states() -> list[tuple[str, str, str]]:
    return list(ChatMessage.objects.order_by("id").values_list("msg_type", "state", "content"))


@database_sync_to_async
def _message(pk: int) -> ChatMessage:
    return ChatMessage.objects.get(pk=pk)


async def _state_within(pk: int, wanted: str, seconds: float = 20) -> str:
    import asyncio

    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        state = (await _message(pk)).state
        if state == wanted or asyncio.get_running_loop().time() > deadline:
            return str(state)
        await asyncio.sleep(0.05)


async def test_kill_9_while_a_turn_waits_for_approval_keeps_the_approval_decidable(
    owner: User, private_document: Document, log_dir: Path
) -> None:
    server = DaphneServer(log_dir, name="doomed").start()
    try:
        ws, _ = await open_chat(chat_url(server, private_document, owner))
        await send(ws, {"query": "first question"})
        first = await frames_until_end(ws)
        await send(ws, {"query": json.dumps({"words": 3, "approval": True})})
        paused = await frames_until_end(ws)
        assert paused[-1]["type"] == "ASYNC_APPROVAL_NEEDED"
        server.kill_hard()
    finally:
        server.stop()
    message_id = paused[-1]["data"]["message_id"]
    assert (await _message(message_id)).state == MessageState.AWAITING_APPROVAL
    restarted = DaphneServer(log_dir, name="restarted").start()
    try:
        conversation_id = first[0]["data"]["conversation_id"]
        extra = f"&load_from_conversation_id={conversation_id}"
        again, state = await open_chat(chat_url(restarted, private_document, owner, extra))
        pending = state["data"]["pending_approval"]
        assert pending["message_id"] == message_id
        assert pending["pending_tool_call"]["name"] == "create_note"
        await send(again, {"approval_decision": True, "llm_message_id": message_id})
        resumed = await frames_until_end(again)
        assert resumed[-1]["type"] == "ASYNC_FINISH"
        assert seqs(paused + resumed) == list(range(1, len(paused) + len(resumed) + 1))
        assert await database_sync_to_async(Note.objects.count)() == 1
        states = await _states()
        assert [s[1] for s in states] == ["completed"] * 4
        assert states[1][2] == first[-1]["content"]
        await again.close()
    finally:
        restarted.stop()


async def test_a_client_vanishing_mid_stream_loses_nothing(
    owner: User, private_document: Document, log_dir: Path
) -> None:
    server = DaphneServer(log_dir).start()
    try:
        ws, _ = await open_chat(chat_url(server, private_document, owner))
        await send(ws, {"query": json.dumps({"words": 150, "delay": 0.01})})
        start = await next_frame(ws)
        [await next_frame(ws) for _ in range(10)]
        ws.transport.abort()  # no close frame: the network went away
        message_id = start["data"]["message_id"]
        assert await _state_within(message_id, "completed") == "completed"
        assert (await _message(message_id)).content == words(150)

        extra = f"&load_from_conversation_id={start['data']['conversation_id']}"
        again, state = await open_chat(chat_url(server, private_document, owner, extra))
        assert state["data"]["active_message_id"] is None
        await send(again, {"type": "RESUME_STREAM", "message_id": message_id, "after_seq": 0})
        replayed = await frames_until_end(again)
        assert streamed_text(replayed) == replayed[-1]["content"] == words(150)
        await send(again, {"query": "next question"})
        assert (await frames_until_end(again))[-1]["data"]["state"] == "completed"
        await again.close()
    finally:
        server.stop()


@pytest.fixture
def redis_and_two_servers(
    log_dir: Path,
) -> Iterator[tuple[RedisServer, DaphneServer, DaphneServer]]:
    redis = RedisServer(log_dir).start()
    first = DaphneServer(log_dir, redis_url=redis.url, name="a")
    second = DaphneServer(log_dir, redis_url=redis.url, name="b")
    try:
        first.start()
        second.start()
        yield redis, first, second
    finally:
        first.stop()
        second.stop()
        redis.stop()


async def test_a_redis_restart_mid_turn_with_two_servers_settles_the_turn_and_history(
    owner: User,
    private_document: Document,
    redis_and_two_servers: tuple[RedisServer, DaphneServer, DaphneServer],
) -> None:
    """Redis restarted (empty: no persistence) while process A streams a turn that a socket on
    process B follows. The turn still ends in the database (completed, or error with the text so
    far: never left running), and both processes answer the next question."""
    redis, first, second = redis_and_two_servers
    ws_a, _ = await open_chat(chat_url(first, private_document, owner))
    await send(ws_a, {"query": "first question"})
    earlier = await frames_until_end(ws_a)
    conversation_id = earlier[0]["data"]["conversation_id"]
    await send(ws_a, {"query": json.dumps({"words": 300, "delay": 0.01})})
    start = await next_frame(ws_a)
    message_id = start["data"]["message_id"]
    [await next_frame(ws_a) for _ in range(10)]
    redis.stop()
    redis.start()
    final = await _state_within(message_id, "completed", seconds=30)
    assert final in ("completed", "error"), final
    stored = await _message(message_id)
    assert words(300).startswith(stored.content)
    await ws_a.close()

    for server in (first, second):
        extra = f"&load_from_conversation_id={conversation_id}"
        ws, state = await open_chat(chat_url(server, private_document, owner, extra))
        assert state["data"]["active_message_id"] is None
        await send(ws, {"query": f"after the restart, on {server.log.name}"})
        assert (await frames_until_end(ws))[-1]["data"]["state"] == "completed"
        await ws.close()
    states = await _states()
    assert states[1] == ("LLM", "completed", earlier[-1]["content"])
    assert [s[1] for s in states[4:]] == ["completed"] * 4
