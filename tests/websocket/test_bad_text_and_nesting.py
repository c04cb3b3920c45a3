"""Defects 1 and 2 of issue 13: text PostgreSQL cannot store (NUL, lone surrogates) and JSON nested
past any sensible depth are refused with the protocol's SYNC_CONTENT; the socket stays open and
nothing is stored."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from opencontractserver.conversations.models import ChatMessage, Conversation
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.support.turn_tasks import turns_settled
from tests.support.websocket_client import connected, document_path, receive, receive_turn

pytestmark = pytest.mark.django_db(transaction=True)

DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ('{"query": "lease \\u0000 notice"}', "invalid_frame"),
        ('{"query": "lease \\ud800 notice"}', "invalid_frame"),
        ('{"query": "lease \\udfff"}', "invalid_frame"),
        ('{"query": "ok", "client_id": "\\u0000"}', "invalid_frame"),
        ('{"type": "AUTH", "token": "a\\u0000b"}', "invalid_frame"),
        ('{"type": "STOP\\u0000", "message_id": 1}', "invalid_frame"),
        (DEEP, "invalid_json"),
        ('{"type": "STOP", "message_id": ' + DEEP + "}", "invalid_json"),
        ('{"type": ' + DEEP + "}", "invalid_json"),
        ('{"query": ' + "[" * 100 + "]" * 100 + "}", "invalid_json"),
    ],
    ids=[
        "nul-in-query",
        "high-surrogate",
        "low-surrogate",
        "nul-in-client-id",
        "nul-in-token",
        "nul-in-type",
        "5000-deep-list",
        "5000-deep-message-id",
        "5000-deep-type",
        "100-deep-query",
    ],
)
async def test_unstorable_text_and_deep_nesting_are_refused(
    owner: User, private_document: Document, payload: str, code: str
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_to(text_data=payload)
    frame = await receive(comm)
    assert frame["type"] == "SYNC_CONTENT", frame
    assert frame["data"]["error_code"] == code
    assert frame["data"]["error"]
    assert await database_sync_to_async(ChatMessage.objects.count)() == 0
    assert await database_sync_to_async(Conversation.objects.count)() == 0
    await comm.send_json_to({"query": "still here?"})
    assert (await receive_turn(comm))[-1]["type"] == "ASYNC_FINISH"
    await comm.disconnect()
    await turns_settled()


async def test_right_to_left_and_combining_marks_are_ordinary_text(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    query = "\u05e9\u05dc\u05d5\u05dd e\u0301 \u202e reversed \U0001f4dc"
    await comm.send_json_to({"query": query})
    assert (await receive_turn(comm))[-1]["type"] == "ASYNC_FINISH"
    stored = await database_sync_to_async(
        lambda: list(ChatMessage.objects.filter(msg_type="HUMAN").values_list("content", flat=True))
    )()
    assert stored == [query]
    await comm.disconnect()
    await turns_settled()
