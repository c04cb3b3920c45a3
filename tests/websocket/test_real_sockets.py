"""Real sockets against a daphne subprocess (in-memory channel layer, one process)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from channels.db import database_sync_to_async

from opencontractserver.conversations.models import ChatMessage, MessageState
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.support.websocket_client import token_for

from .scripted_agents import words
from .servers import DaphneServer
from .socket_client import frames_until_end, next_frame, open_chat, send, seqs, streamed_text

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DaphneServer]:
    daphne = DaphneServer(Path(tmp_path_factory.mktemp("daphne"))).start()
    yield daphne
    daphne.stop()


def chat_url(server: DaphneServer, document: Document, user: User, extra: str = "") -> str:
    return f"{server.url}/ws/document/{document.pk}/query/?token={token_for(user)}{extra}"


@database_sync_to_async
def _message(pk: int) -> ChatMessage:
    return ChatMessage.objects.get(pk=pk)


async def test_a_full_turn_over_a_real_socket(
    server: DaphneServer, owner: User, private_document: Document
) -> None:
    ws, state = await open_chat(chat_url(server, private_document, owner))
    assert state["data"]["model"] == "scripted:test"
    await send(ws, {"query": json.dumps({"words": 12, "delay": 0.005, "thought": True})})
    frames = await frames_until_end(ws)
    assert seqs(frames) == list(range(1, len(frames) + 1))
    assert streamed_text(frames) == frames[-1]["content"] == words(12)
    stored = await _message(frames[-1]["data"]["message_id"])
    assert stored.state == MessageState.COMPLETED and stored.content == words(12)
    await ws.close()


async def test_reconnect_mid_stream_and_resume_reassembles_the_exact_answer(
    server: DaphneServer, owner: User, private_document: Document
) -> None:
    ws, _ = await open_chat(chat_url(server, private_document, owner))
    await send(ws, {"query": json.dumps({"words": 60, "delay": 0.01})})
    before = [await next_frame(ws) for _ in range(6)]
    conversation_id = before[0]["data"]["conversation_id"]
    message_id = before[0]["data"]["message_id"]
    await ws.close()
    extra = f"&load_from_conversation_id={conversation_id}"
    again, state = await open_chat(chat_url(server, private_document, owner, extra))
    assert state["data"]["active_message_id"] == message_id
    await send(
        again,
        {"type": "RESUME_STREAM", "message_id": message_id, "after_seq": before[-1]["data"]["seq"]},
    )
    after = await frames_until_end(again)
    whole = before + after
    assert seqs(whole) == list(range(1, len(whole) + 1)), "no repeated or missing seq"
    assert streamed_text(whole) == whole[-1]["content"] == words(60)
    await again.close()


async def test_stop_mid_stream_over_a_real_socket(
    server: DaphneServer, owner: User, private_document: Document
) -> None:
    ws, _ = await open_chat(chat_url(server, private_document, owner))
    await send(ws, {"query": json.dumps({"words": 300, "delay": 0.01})})
    frames = [await next_frame(ws) for _ in range(4)]
    message_id = frames[0]["data"]["message_id"]
    await send(ws, {"type": "STOP", "message_id": message_id})
    frames += await frames_until_end(ws)
    assert frames[-1]["type"] == "ASYNC_FINISH" and frames[-1]["data"]["state"] == "cancelled"
    assert seqs(frames) == list(range(1, len(frames) + 1))
    assert streamed_text(frames) == frames[-1]["content"]
    stored = await _message(message_id)
    assert stored.state == MessageState.CANCELLED
    assert stored.content == frames[-1]["content"] != words(300)
    await ws.close()


async def test_two_sockets_on_one_conversation_both_see_the_turn(
    server: DaphneServer, owner: User, private_document: Document
) -> None:
    import asyncio

    first, _ = await open_chat(chat_url(server, private_document, owner))
    await send(first, {"query": "hello"})
    conversation_id = (await frames_until_end(first))[0]["data"]["conversation_id"]
    extra = f"&load_from_conversation_id={conversation_id}"
    second, _ = await open_chat(chat_url(server, private_document, owner, extra))
    await send(second, {"query": json.dumps({"words": 20, "delay": 0.005})})
    seen_first, seen_second = await asyncio.gather(
        frames_until_end(first), frames_until_end(second)
    )
    assert seen_first == seen_second
    assert streamed_text(seen_first) == words(20)
    await first.close()
    await second.close()


async def test_a_client_frame_over_the_message_limit_closes_1009_with_a_reason(
    server: DaphneServer, owner: User, private_document: Document
) -> None:
    """Issue 13 (minor): daphne's 1 MiB limit on client messages is answered with a close frame
    (1009, message too big, and a reason), not a dropped TCP connection."""
    from websockets.exceptions import ConnectionClosed

    ws, _ = await open_chat(chat_url(server, private_document, owner))
    await ws.send(json.dumps({"query": "x" * (1024 * 1024 + 10)}))
    with pytest.raises(ConnectionClosed) as closed:
        await next_frame(ws)
    assert closed.value.rcvd is not None, "the server sent a close frame"
    assert closed.value.rcvd.code == 1009
    assert "exceeds payload limit" in closed.value.rcvd.reason
    assert await database_sync_to_async(ChatMessage.objects.count)() == 0
