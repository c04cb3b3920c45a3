"""Several server processes: fan-out and STOP through Redis, and a crash mid-turn."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from channels.db import database_sync_to_async

from opencontractserver.conversations.models import ChatMessage, MessageState, MessageType
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.support.websocket_client import token_for

from .scripted_agents import words
from .servers import DaphneServer, RedisServer
from .socket_client import frames_until_end, next_frame, open_chat, send, seqs, streamed_text

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def redis_pair(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DaphneServer, DaphneServer]]:
    """Two daphne processes sharing one redis-server started for this test module."""
    log_dir = Path(tmp_path_factory.mktemp("multi"))
    redis = RedisServer(log_dir).start()
    first = DaphneServer(log_dir, redis_url=redis.url, name="a")
    second = DaphneServer(log_dir, redis_url=redis.url, name="b")
    try:
        first.start()
        second.start()
        yield first, second
    finally:
        first.stop()
        second.stop()
        redis.stop()


def chat_url(server: DaphneServer, document: Document, user: User, extra: str = "") -> str:
    return f"{server.url}/ws/document/{document.pk}/query/?token={token_for(user)}{extra}"


@database_sync_to_async
def _messages() -> list[ChatMessage]:
    return list(ChatMessage.objects.order_by("id"))


async def test_a_turn_started_on_process_a_streams_live_to_process_b_and_resumes_there(
    redis_pair: tuple[DaphneServer, DaphneServer], owner: User, private_document: Document
) -> None:
    a, b = redis_pair
    on_a, _ = await open_chat(chat_url(a, private_document, owner))
    await send(on_a, {"query": "warm up"})
    conversation_id = (await frames_until_end(on_a))[0]["data"]["conversation_id"]
    extra = f"&load_from_conversation_id={conversation_id}"
    on_b, _ = await open_chat(chat_url(b, private_document, owner, extra))
    await send(on_a, {"query": json.dumps({"words": 30, "delay": 0.005})})
    seen_a, seen_b = await asyncio.gather(frames_until_end(on_a), frames_until_end(on_b))
    assert seen_a == seen_b
    assert streamed_text(seen_b) == seen_b[-1]["content"] == words(30)
    message_id = seen_b[0]["data"]["message_id"]
    # Process B replays a turn that process A ran, from the shared Redis stream.
    await send(on_b, {"type": "RESUME_STREAM", "message_id": message_id, "after_seq": 0})
    assert await frames_until_end(on_b) == seen_a
    await on_a.close()
    await on_b.close()


async def test_stop_sent_through_process_b_cancels_the_turn_running_on_process_a(
    redis_pair: tuple[DaphneServer, DaphneServer], owner: User, private_document: Document
) -> None:
    a, b = redis_pair
    on_a, _ = await open_chat(chat_url(a, private_document, owner))
    await send(on_a, {"query": "warm up"})
    conversation_id = (await frames_until_end(on_a))[0]["data"]["conversation_id"]
    extra = f"&load_from_conversation_id={conversation_id}"
    on_b, _ = await open_chat(chat_url(b, private_document, owner, extra))
    await send(on_a, {"query": json.dumps({"words": 400, "delay": 0.01})})
    frames = [await next_frame(on_b) for _ in range(4)]
    message_id = frames[0]["data"]["message_id"]
    await send(on_b, {"type": "STOP", "message_id": message_id})
    frames += await frames_until_end(on_b)
    assert frames[-1]["type"] == "ASYNC_FINISH" and frames[-1]["data"]["state"] == "cancelled"
    assert seqs(frames) == list(range(1, len(frames) + 1))
    llm = (await _messages())[-1]
    assert llm.pk == message_id and llm.state == MessageState.CANCELLED
    assert llm.content == frames[-1]["content"] != words(400)
    await on_a.close()
    await on_b.close()


def _turn_control_subscriptions(redis_url: str) -> tuple[list[str], int]:
    """The per-turn control channels Redis has subscribers on, and how many connections have
    a pattern subscription (PUBSUB NUMPAT counts distinct patterns, not subscribers)."""
    import redis

    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        channels = [str(channel) for channel in client.pubsub_channels("oc:turn-control:*")]
        listening = sum(1 for entry in client.client_list() if int(entry.get("psub", 0)) > 0)
        return sorted(channels), listening
    finally:
        client.close()


async def test_running_turns_cost_redis_no_subscription_of_their_own_and_stay_stoppable(
    redis_pair: tuple[DaphneServer, DaphneServer], owner: User, private_document: Document
) -> None:
    a, b = redis_pair
    sockets = [(await open_chat(chat_url(a, private_document, owner)))[0] for _ in range(3)]
    for ws in sockets:
        await send(ws, {"query": json.dumps({"words": 400, "delay": 0.01})})
    starts = [await next_frame(ws) for ws in sockets]
    assert [start["type"] for start in starts] == ["ASYNC_START"] * 3

    channels, patterns = await asyncio.to_thread(_turn_control_subscriptions, a.redis_url)
    # Three turns run on A: STOP reaches them through A's one pattern subscription, not a
    # subscription (a round trip each, one at a time) per turn.
    assert channels == [] and patterns >= 1

    conversation_id = starts[1]["data"]["conversation_id"]
    extra = f"&load_from_conversation_id={conversation_id}"
    on_b, _ = await open_chat(chat_url(b, private_document, owner, extra))
    message_id = starts[1]["data"]["message_id"]
    await send(on_b, {"type": "STOP", "message_id": message_id})
    stopped = await frames_until_end(sockets[1])
    assert stopped[-1]["type"] == "ASYNC_FINISH" and stopped[-1]["data"]["state"] == "cancelled"
    for ws in (sockets[0], sockets[2]):
        await send(ws, {"type": "STOP", "message_id": (await next_frame(ws))["data"]["message_id"]})
        assert (await frames_until_end(ws))[-1]["data"]["state"] == "cancelled"
    for ws in [*sockets, on_b]:
        await ws.close()


async def test_a_fresh_process_listens_for_stop_from_its_first_handshake(
    redis_pair: tuple[DaphneServer, DaphneServer],
    owner: User,
    private_document: Document,
    tmp_path: Path,
) -> None:
    """Before its first turn: so the first turns never wait for Redis to confirm it."""
    a, _ = redis_pair
    _, before = await asyncio.to_thread(_turn_control_subscriptions, a.redis_url)
    fresh = DaphneServer(tmp_path, redis_url=a.redis_url, name="c")
    await asyncio.to_thread(fresh.start)
    try:
        ws, _ = await open_chat(chat_url(fresh, private_document, owner))
        _, after = await asyncio.to_thread(_turn_control_subscriptions, a.redis_url)
        assert after == before + 1, "the handshake made the process's one pattern subscription"
        await ws.close()
    finally:
        await asyncio.to_thread(fresh.stop)


async def test_a_pause_on_process_a_is_decided_on_process_b_and_seen_on_both(
    redis_pair: tuple[DaphneServer, DaphneServer], owner: User, private_document: Document
) -> None:
    a, b = redis_pair
    on_a, _ = await open_chat(chat_url(a, private_document, owner))
    await send(on_a, {"query": json.dumps({"words": 3, "approval": True})})
    paused = await frames_until_end(on_a)
    assert paused[-1]["type"] == "ASYNC_APPROVAL_NEEDED"
    message_id = paused[-1]["data"]["message_id"]
    extra = f"&load_from_conversation_id={paused[0]['data']['conversation_id']}"
    on_b, state = await open_chat(chat_url(b, private_document, owner, extra))
    assert state["data"]["pending_approval"]["message_id"] == message_id
    await send(on_b, {"approval_decision": True, "llm_message_id": message_id})
    seen_a, seen_b = await asyncio.gather(frames_until_end(on_a), frames_until_end(on_b))
    assert seen_a == seen_b
    whole = paused + seen_a
    assert seqs(whole) == list(range(1, len(whole) + 1))
    assert streamed_text(whole) == whole[-1]["content"] == words(3) + "Saved the note."
    await on_a.close()
    await on_b.close()


async def test_killed_server_leaves_an_interrupted_message_and_earlier_ones_intact(
    owner: User, private_document: Document, tmp_path: Path
) -> None:
    server = DaphneServer(tmp_path, name="doomed").start()
    try:
        ws, _ = await open_chat(chat_url(server, private_document, owner))
        await send(ws, {"query": "first question"})
        first_turn = await frames_until_end(ws)
        await send(ws, {"query": json.dumps({"words": 500, "delay": 0.01})})
        [await next_frame(ws) for _ in range(20)]
        server.kill_hard()
        await ws.close()
    finally:
        server.stop()
    conversation_id = first_turn[0]["data"]["conversation_id"]
    stuck = (await _messages())[-1]
    assert stuck.state == MessageState.IN_PROGRESS
    restarted = DaphneServer(tmp_path, name="restarted").start()
    try:
        messages = await _messages()
        assert [(m.msg_type, m.state) for m in messages] == [
            (MessageType.HUMAN, MessageState.COMPLETED),
            (MessageType.LLM, MessageState.COMPLETED),
            (MessageType.HUMAN, MessageState.COMPLETED),
            (MessageType.LLM, MessageState.ERROR),
        ]
        assert messages[1].content == first_turn[-1]["content"]
        assert messages[3].data["error_code"] == "interrupted"
        assert words(500).startswith(messages[3].content)
        extra = f"&load_from_conversation_id={conversation_id}"
        again, state = await open_chat(chat_url(restarted, private_document, owner, extra))
        assert state["data"]["active_message_id"] is None
        await send(again, {"type": "RESUME_STREAM", "message_id": messages[3].pk, "after_seq": 0})
        ending = await next_frame(again)
        assert ending["type"] == "ASYNC_ERROR" and ending["data"]["error_code"] == "interrupted"
        await send(again, {"query": "after the crash"})
        assert (await frames_until_end(again))[-1]["data"]["state"] == "completed"
        await again.close()
    finally:
        restarted.stop()
