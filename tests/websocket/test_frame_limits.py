"""Issue 13 defect 7: no frame the server sends exceeds the frame limit, and the sources of an
answer are bounded (count, excerpt length, layout), even for passages stored before passages
were bounded."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from config.websocket.engine.frame_limits import SOURCE_EXCERPT_CHARS, fit_frame
from opencontractserver.conversations.models import ChatMessage, MessageType
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.support.turn_tasks import turns_settled
from tests.support.websocket_client import connected, document_path, receive_turn

pytestmark = pytest.mark.django_db(transaction=True)


def _wire_size(frame: dict[str, object]) -> int:
    return len(json.dumps(frame).encode())


async def test_an_answer_with_huge_sources_stays_under_the_frame_limit(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": json.dumps({"words": 3, "huge_sources": 5})})
    frames = await receive_turn(comm)
    assert frames[-1]["type"] == "ASYNC_FINISH"
    assert max(_wire_size(f) for f in frames) <= settings.OC_MAX_FRAME_BYTES
    kept = frames[-1]["data"]["sources"]
    ids = [s["annotation_id"] for s in kept]
    assert len(ids) == len(set(ids)) == settings.OC_MAX_SOURCES_PER_ANSWER
    assert all(len(s["rawText"]) <= SOURCE_EXCERPT_CHARS for s in kept)
    streamed = [s for f in frames if f["type"] == "ASYNC_SOURCES" for s in f["data"]["sources"]]
    assert [s["annotation_id"] for s in streamed] == ids
    stored = await database_sync_to_async(
        lambda: ChatMessage.objects.get(msg_type=MessageType.LLM).data["sources"]
    )()
    assert [s["annotation_id"] for s in stored] == ids
    await comm.disconnect()
    await turns_settled()


def test_fit_frame_shrinks_layout_then_text_and_never_returns_an_oversize_frame() -> None:
    boxes = [[1.0, 2.0, 3.0, 4.0]] * 20_000
    source = {
        "annotation_id": 1,
        "rawText": "x" * 2000,
        "json": {
            "start": 0,
            "end": 9,
            "pages": [{"page": 1, "words": boxes, "bounds": [0, 0, 1, 1]}],
        },
    }
    frame = {
        "type": "ASYNC_FINISH",
        "content": "answer " * 200_000,
        "data": {"message_id": 1, "seq": 2, "sources": [source] * 40, "timeline": []},
    }
    fitted = fit_frame(frame, limit=500_000)
    assert _wire_size(fitted) <= 500_000
    pages = fitted["data"]["sources"][0]["json"]["pages"]
    assert "words" not in pages[0] and pages[0]["bounds"] == [0, 0, 1, 1]
    small = {"type": "ASYNC_CONTENT", "content": "hi", "data": {"message_id": 1, "seq": 3}}
    assert fit_frame(small, limit=500_000) is small
