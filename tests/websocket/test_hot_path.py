"""The per-delta and per-frame path of a turn: no wait on the database thread, no task per delta.

Channels runs `close_old_connections` on the one database thread before every message a consumer
handles. For a turn's frames (one per content delta, per socket) that is a thread hop on the hot
path, and it queues every frame behind whatever database work is running (a checkpoint, a slow
query of another socket). Relaying a frame touches no database, so it must not wait for it.
Coalescing releases pending text with one timer per window, not a timed wait (a task) per delta.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine, Generator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from config.websocket.engine import runner
from config.websocket.engine.fanout import publish_turn_frame
from opencontractserver.conversations.models import ChatMessage, Conversation, MessageState
from opencontractserver.documents.models import Document
from opencontractserver.llms.agents.titles import offline_title
from opencontractserver.shared.db_threads import run_in_lane
from opencontractserver.users.models import User
from tests.support.channels_thread import database_thread_blocked
from tests.support.turn_tasks import turns_settled
from tests.support.websocket_client import (
    connected,
    document_path,
    receive,
    receive_turn,
    session_cookie,
)

from . import scripted_agents

pytestmark = pytest.mark.django_db(transaction=True)


async def test_turn_frames_are_delivered_while_the_database_thread_is_busy(
    owner: User, private_document: Document
) -> None:
    first, _ = await connected(document_path(private_document.pk, owner))
    await first.send_json_to({"query": "hello"})
    conversation_id = (await receive_turn(first))[0]["data"]["conversation_id"]
    extra = f"&load_from_conversation_id={conversation_id}"
    second, _ = await connected(document_path(private_document.pk, owner, extra))

    async with database_thread_blocked(10):
        frame = {
            "type": "ASYNC_CONTENT",
            "content": "w0 ",
            "data": {"message_id": 987654, "seq": 1},
        }
        await publish_turn_frame(conversation_id, 987654, frame)
        assert await receive(first, wait=1) == frame
        assert await receive(second, wait=1) == frame
    await first.disconnect()
    await second.disconnect()


async def test_a_turn_streams_while_the_database_thread_is_blocked(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    # (Channels itself hops onto its thread before handling each client frame, so the query is
    # sent before the thread is blocked; everything the turn does after that must not wait.)
    await comm.send_json_to({"query": json.dumps({"words": 40, "delay": 0.01})})
    frames = [await receive(comm)]
    async with database_thread_blocked() as released:
        frames += await receive_turn(comm)
        assert not released.is_set(), "the rest of the turn ran while the thread was blocked"
    assert frames[0]["type"] == "ASYNC_START"
    assert frames[-1]["type"] == "ASYNC_FINISH"
    assert frames[-1]["content"] == scripted_agents.words(40)
    stored = await database_sync_to_async(ChatMessage.objects.get)(
        pk=frames[0]["data"]["message_id"]
    )
    assert stored.state == MessageState.COMPLETED
    await turns_settled()
    await comm.disconnect()


async def test_handshakes_and_client_frames_are_served_while_the_database_thread_is_blocked(
    owner: User, private_document: Document
) -> None:
    first, _ = await connected(document_path(private_document.pk, owner))
    await first.send_json_to({"query": "hello"})
    conversation_id = (await receive_turn(first))[0]["data"]["conversation_id"]
    await turns_settled()
    loaded_path = document_path(
        private_document.pk, owner, f"&load_from_conversation_id={conversation_id}"
    )
    fresh_path = document_path(private_document.pk, owner)
    async with database_thread_blocked() as released:
        # The token's user, the subject, the conversation and its snapshot, the model label.
        loaded, loaded_state = await connected(loaded_path)
        fresh, fresh_state = await connected(fresh_path)
        # A client frame (Channels' dispatch no longer hops onto the thread first) and a turn.
        await fresh.send_json_to({"query": json.dumps({"words": 5})})
        frames = await receive_turn(fresh)
        assert not released.is_set(), "everything above ran while the thread was blocked"
    assert loaded_state["data"]["conversation_id"] == conversation_id
    assert loaded_state["data"]["user"] == {"id": owner.pk, "username": owner.username}
    assert fresh_state["data"]["conversation_id"] is None
    assert fresh_state["data"]["model"] == "scripted:test"
    assert frames[-1]["type"] == "ASYNC_FINISH"
    assert frames[-1]["content"] == scripted_agents.words(5)
    await turns_settled()
    for comm in (first, loaded, fresh):
        await comm.disconnect()


async def test_a_new_conversation_is_titled_while_the_database_thread_is_blocked(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    async with database_thread_blocked() as released:
        await comm.send_json_to({"query": json.dumps({"words": 3})})
        conversation_id = (await receive_turn(comm))[0]["data"]["conversation_id"]
        await turns_settled()  # the turn's task ends once it has titled the conversation
        title = await run_in_lane("turn", _title_of, conversation_id)
        assert not released.is_set(), "the title was read and written while the thread was blocked"
    assert title == offline_title(json.dumps({"words": 3}))
    await comm.disconnect()


def _title_of(conversation_id: int) -> str:
    return str(Conversation.objects.values_list("title", flat=True).get(pk=conversation_id))


async def _tasks_created_by_a_turn(comm: Any, words: int) -> int:
    loop = asyncio.get_running_loop()
    created = 0

    def counting_factory(
        loop: asyncio.AbstractEventLoop,
        coro: Generator[Any, None, Any] | Coroutine[Any, Any, Any],
        **kwargs: Any,
    ) -> asyncio.Task[Any]:
        nonlocal created
        created += 1
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(counting_factory)
    try:
        await comm.send_json_to({"query": json.dumps({"words": words})})
        frames = await receive_turn(comm)
        await turns_settled()
    finally:
        loop.set_task_factory(None)
    assert frames[-1]["content"] == "".join(f"w{i} " for i in range(words))
    return created


@override_settings(OC_COALESCE_WINDOW_MS=40)
async def test_coalescing_creates_no_task_per_content_delta(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await _tasks_created_by_a_turn(comm, 5)  # the first turn also titles the conversation
    small = await _tasks_created_by_a_turn(comm, 5)
    large = await _tasks_created_by_a_turn(comm, 500)
    assert large - small < 20, (small, large)
    await comm.disconnect()


@override_settings(OC_COALESCE_WINDOW_MS=40)
async def test_the_runner_is_not_woken_for_each_content_delta(
    owner: User, private_document: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits = [0]

    class CountingInbox(runner._Inbox):
        async def get(self) -> Any:
            if not self._items:  # the runner goes to sleep until something wakes it
                waits[0] += 1
            return await super().get()

    monkeypatch.setattr(runner, "_Inbox", CountingInbox)
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": json.dumps({"words": 200, "delay": 0.002})})
    frames = await receive_turn(comm, wait=20)
    assert frames[-1]["content"] == scripted_agents.words(200)
    content_frames = sum(f["type"] == "ASYNC_CONTENT" for f in frames)
    # Woken for the first delta of each window and for its flush (and the turn's end), not for
    # the deltas in between (before: one wake-up per delta, 200).
    assert waits[0] <= 2 * content_frames + 2, (waits[0], content_frames)
    assert waits[0] < 200 / 4, waits[0]
    await turns_settled()
    await comm.disconnect()


async def test_a_browser_session_connects_while_the_database_thread_is_blocked(
    owner: User, private_document: Document
) -> None:
    cookie = await database_sync_to_async(session_cookie)(owner)
    headers = [(b"origin", b"http://testserver"), (b"cookie", cookie)]
    async with database_thread_blocked() as released:
        # The session's user is looked up on the connect lane, not behind the blocked thread.
        comm, state = await connected(f"/ws/document/{private_document.pk}/query/", headers=headers)
        assert not released.is_set(), "the handshake ran while the thread was blocked"
    assert state["data"]["user"] == {"id": owner.pk, "username": owner.username}
    await comm.disconnect()
