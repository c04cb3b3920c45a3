"""Live frames of a turn reach sockets without waiting for the database thread.

Channels runs `close_old_connections` on the one database thread before every message a consumer
handles. For a turn's frames (one per content delta, per socket) that is a thread hop on the hot
path, and it queues every frame behind whatever database work is running (a checkpoint, a slow
query of another socket). Frame delivery touches no database, so it must not wait for it.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async

from config.websocket.turns.fanout import publish_turn_frame
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User

from .conftest import connected, document_path, receive, receive_turn

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
