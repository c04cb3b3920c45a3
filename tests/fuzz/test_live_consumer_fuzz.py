"""Fuzzing a live consumer (the real ASGI application, scripted agents, the real PostgreSQL):
every frame gets the protocol's answer, the socket stays open, no traceback is logged, and the
only rows created are those of well-formed questions. Other users' message ids in STOP,
RESUME_STREAM and approvals are refused like missing ones and change nothing."""

from __future__ import annotations

import json
import logging

import pytest
from channels.db import database_sync_to_async
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.websocket.frames import parse_client_frame
from config.websocket.protocol import QueryFrame
from opencontractserver.conversations.chat_refusal import ChatRefusal
from opencontractserver.conversations.models import ChatMessage, Conversation, MessageType
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.support.turn_tasks import turns_settled
from tests.support.websocket_client import connected, document_path, receive

from .strategies import FRAME_TEXTS

pytestmark = pytest.mark.django_db(transaction=True)

TERMINAL = {"ASYNC_FINISH", "ASYNC_ERROR", "ASYNC_APPROVAL_NEEDED"}
ANSWERS = {"SYNC_CONTENT", "RATE_LIMITED"} | TERMINAL


def _foreign_frames(message_ids: list[int]) -> st.SearchStrategy[str]:
    """STOP, RESUME_STREAM and decisions aimed at another user's messages."""
    ids = st.sampled_from(message_ids)
    return st.one_of(
        ids.map(lambda i: json.dumps({"type": "STOP", "message_id": i})),
        ids.map(lambda i: json.dumps({"type": "RESUME_STREAM", "message_id": i, "after_seq": 0})),
        st.tuples(ids, st.booleans()).map(
            lambda p: json.dumps({"approval_decision": p[1], "llm_message_id": p[0]})
        ),
    )


def _well_formed_query(text: str) -> bool:
    frame = parse_client_frame(text)
    if not isinstance(frame, QueryFrame):
        return False
    query = frame.query
    return bool(query.strip()) and len(query) <= django_settings.OC_MAX_QUERY_CHARS


@database_sync_to_async
def _rows() -> tuple[int, int, list[tuple[int, str, str]]]:
    foreign = list(
        ChatMessage.objects.exclude(conversation__creator__username="owner")
        .order_by("pk")
        .values_list("pk", "state", "content")
    )
    return ChatMessage.objects.count(), Conversation.objects.count(), foreign


@pytest.fixture
def foreign_message_ids(stranger: User, private_document: Document) -> list[int]:
    """A conversation of another user (about a document of theirs) with a waiting approval."""
    document = Document.objects.create(title="Theirs", creator=stranger, text="Their text.")
    conversation = Conversation.objects.create(creator=stranger, chat_with_document=document)
    human = ChatMessage.objects.create(
        conversation=conversation, msg_type=MessageType.HUMAN, content="q", creator=stranger
    )
    waiting = ChatMessage.objects.create(
        conversation=conversation,
        msg_type=MessageType.LLM,
        state="awaiting_approval",
        data={"pending_tool_call": {"name": "n", "arguments": {}, "tool_call_id": "c"}},
    )
    return [human.pk, waiting.pk]


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_a_live_socket_answers_every_hostile_frame_and_stays_open(
    data: st.DataObject,
    owner: User,
    private_document: Document,
    foreign_message_ids: list[int],
    caplog: pytest.LogCaptureFixture,
    close_worker_thread_connections: None,
) -> None:
    texts = data.draw(
        st.lists(FRAME_TEXTS | _foreign_frames(foreign_message_ids), min_size=4, max_size=12)
    )
    caplog.clear()
    messages_before, conversations_before, foreign_before = await _rows()
    comm, _ = await connected(document_path(private_document.pk, owner))
    accepted = 0
    for text in texts:
        await comm.send_input({"type": "websocket.receive", "text": text})
        answer = await receive(comm)
        while answer["type"] not in ANSWERS:
            answer = await receive(comm)
        expected = parse_client_frame(text)
        if isinstance(expected, ChatRefusal):
            assert answer["type"] == "SYNC_CONTENT", (text, answer)
            assert answer["data"]["error_code"] == expected.error_code
        if _well_formed_query(text) and answer["type"] != "SYNC_CONTENT":
            accepted += 1
    assert await comm.receive_nothing(timeout=0.05)
    await comm.disconnect()
    await turns_settled()

    messages_after, conversations_after, foreign_after = await _rows()
    assert messages_after - messages_before <= 2 * accepted
    assert conversations_after - conversations_before <= 1
    assert foreign_after == foreign_before, "another user's messages are untouched"
    tracebacks = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not tracebacks, [r.getMessage() for r in tracebacks]
