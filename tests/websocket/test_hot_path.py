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
import threading
from collections.abc import Coroutine, Generator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings

from config.websocket.engine.fanout import publish_turn_frame
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User

from .conftest import connected, document_path, receive, receive_turn, turns_settled

pytestmark = pytest.mark.django_db(transaction=True)


async def test_turn_frames_are_delivered_while_the_database_thread_is_busy(
    owner: User, private_document: Document
) -> None:
    first, _ = await connected(document_path(private_document.pk, owner))
    await first.send_json_to({"query": "hello"})
    conversation_id = (await receive_turn(first))[0]["data"]["conversation_id"]
    extra = f"&load_from_conversation_id={conversation_id}"
    second, _ = await connected(document_path(private_document.pk, owner, extra))

    entered, release = threading.Event(), threading.Event()

    def occupy_the_database_thread() -> None:
        entered.set()
        release.wait(timeout=10)

    busy = asyncio.ensure_future(sync_to_async(occupy_the_database_thread)())
    try:
        for _ in range(100):
            if entered.is_set():
                break
            await asyncio.sleep(0.01)
        assert entered.is_set()
        frame = {
            "type": "ASYNC_CONTENT",
            "content": "w0 ",
            "data": {"message_id": 987654, "seq": 1},
        }
        await publish_turn_frame(conversation_id, 987654, frame)
        assert await receive(first, wait=1) == frame
        assert await receive(second, wait=1) == frame
    finally:
        release.set()
        await busy
    await first.disconnect()
    await second.disconnect()


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
