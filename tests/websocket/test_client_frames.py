"""Bad input gets one SYNC_CONTENT with error/error_code, the socket stays open, nothing is
persisted (PROTOCOL §3); RATE_LIMITED; AUTH token swaps; anonymous chats."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import jwt
import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import override_settings

from opencontractserver.conversations.models import ChatMessage, Conversation
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.support.turn_tasks import turns_settled
from tests.support.websocket_client import (
    close_code,
    connected,
    document_path,
    receive,
    receive_turn,
    token_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


async def _refusal(comm: Any) -> tuple[str, dict[str, Any]]:
    frame = await receive(comm)
    assert frame["type"] == "SYNC_CONTENT", frame
    return frame["data"]["error_code"], frame


async def _message_count() -> int:
    return await database_sync_to_async(ChatMessage.objects.count)()


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("not json", "invalid_json"),
        ("[1, 2]", "unknown_frame"),
        ('{"hello": 1}', "unknown_frame"),
        ('{"type": "DANCE"}', "unknown_frame"),
        ('{"query": 5}', "invalid_frame"),
        ('{"query": "hi", "client_id": "not-a-uuid"}', "invalid_frame"),
        ('{"approval_decision": "yes", "llm_message_id": 1}', "invalid_frame"),
        ('{"type": "STOP"}', "invalid_frame"),
        ('{"type": "RESUME_STREAM", "message_id": 1, "after_seq": -1}', "invalid_frame"),
        ('{"query": "   "}', "empty_query"),
        ('{"approval_decision": true, "llm_message_id": 1}', "message_not_found"),
        ('{"type": "STOP", "message_id": 1}', "message_not_found"),
        ('{"type": "RESUME_STREAM", "message_id": 1, "after_seq": 0}', "message_not_found"),
    ],
)
async def test_bad_input_is_refused_and_the_socket_stays_open(
    owner: User, private_document: Document, payload: str, code: str
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_to(text_data=payload)
    error_code, frame = await _refusal(comm)
    assert error_code == code
    assert frame["data"]["error"]
    assert await _message_count() == 0
    await comm.send_json_to({"query": "still here?"})
    assert (await receive_turn(comm))[-1]["type"] == "ASYNC_FINISH"
    await comm.disconnect()
    await turns_settled()


async def test_binary_frame_is_refused(owner: User, private_document: Document) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_to(bytes_data=b"\x00\x01")
    assert (await _refusal(comm))[0] == "binary_frame"
    await comm.disconnect()


@override_settings(OC_MAX_QUERY_CHARS=10)
async def test_oversize_query_is_refused(owner: User, private_document: Document) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": "x" * 11})
    assert (await _refusal(comm))[0] == "query_too_long"
    assert await _message_count() == 0
    await comm.disconnect()


async def test_second_query_while_a_turn_runs_is_refused(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": json.dumps({"words": 20, "delay": 0.02})})
    start = await receive(comm)
    assert start["type"] == "ASYNC_START"
    await comm.send_json_to({"query": "another"})
    while True:
        frame = await receive(comm)
        if frame["type"] == "SYNC_CONTENT":
            break
    assert frame["data"]["error_code"] == "turn_running"
    assert await _message_count() == 2
    frames = await receive_turn(comm)
    assert frames[-1]["type"] == "ASYNC_FINISH"
    await comm.disconnect()
    await turns_settled()


@override_settings(OC_QUERIES_PER_MINUTE=1)
async def test_queries_over_the_per_minute_limit_get_rate_limited(
    owner: User, private_document: Document
) -> None:
    from config.websocket import limits

    limits._counter._counts.clear()
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": "one"})
    await receive_turn(comm)
    await comm.send_json_to({"query": "two"})
    frame = await receive(comm)
    assert frame["type"] == "RATE_LIMITED"
    assert frame["data"]["error_code"] == "rate_limited"
    assert 1 <= frame["data"]["retry_after"] <= 60
    assert await _message_count() == 2
    await comm.disconnect()
    await turns_settled()
    limits._counter._counts.clear()


async def test_auth_frame_swaps_the_token_of_the_same_user(
    owner: User, stranger: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"type": "AUTH", "token": token_for(owner)})
    ack = await receive(comm)
    assert ack["type"] == "SYNC_CONTENT" and ack["data"]["error_code"] is None
    assert ack["data"]["token_expires_at"]
    await comm.send_json_to({"type": "AUTH", "token": "garbage"})
    assert (await _refusal(comm))[0] == "token_invalid"
    await comm.send_json_to({"type": "AUTH", "token": token_for(stranger)})
    assert (await _refusal(comm))[0] == "token_user_mismatch"
    await comm.disconnect()


async def test_a_socket_whose_token_expired_closes_4001_at_its_next_frame(
    owner: User, private_document: Document
) -> None:
    now = int(time.time())
    expires = now + 2
    short = jwt.encode(
        {"sub": str(owner.pk), "typ": "access", "iat": now, "exp": expires},
        settings.SECRET_KEY,
        algorithm="HS256",
    )
    comm, _ = await connected(f"/ws/document/{private_document.pk}/query/?token={short}")
    await asyncio.sleep(expires - time.time() + 0.05)
    await comm.send_json_to({"query": "hello"})
    output = await comm.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4001}


@override_settings(OC_ALLOW_ANONYMOUS_CHAT=True)
async def test_anonymous_users_chat_about_public_documents_without_persistence(
    private_document: Document,
) -> None:
    assert await close_code(f"/ws/document/{private_document.pk}/query/") == 4000
    await database_sync_to_async(Document.objects.filter(pk=private_document.pk).update)(
        is_public=True
    )
    comm, state = await connected(f"/ws/document/{private_document.pk}/query/")
    assert state["data"]["user"] is None and state["data"]["conversation_id"] is None
    await comm.send_json_to({"query": json.dumps({"words": 3})})
    frames = await receive_turn(comm)
    assert {f["data"]["message_id"] for f in frames} == {0}
    assert [f["data"]["seq"] for f in frames] == list(range(1, len(frames) + 1))
    assert frames[-1]["content"] == "w0 w1 w2 "
    assert await _message_count() == 0
    assert await database_sync_to_async(Conversation.objects.count)() == 0
    await comm.send_json_to({"approval_decision": True, "llm_message_id": 0})
    assert (await _refusal(comm))[0] == "forbidden"
    await comm.send_json_to({"query": json.dumps({"words": 1, "approval": True})})
    frames = await receive_turn(comm)
    assert frames[-1]["data"]["error_code"] == "approval_requires_login"
    extra = "?load_from_conversation_id=1"
    assert await close_code(f"/ws/document/{private_document.pk}/query/{extra}") == 4000
    await comm.disconnect()
    await turns_settled()
