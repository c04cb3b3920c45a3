"""An OpenAI-compatible provider behind a WebSocket turn: pydantic-ai's OpenAI model talks SSE
to a loopback stub, through the default agent factory and the real turn runner."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from pytest_django import Settings as SettingsWrapper

from opencontractserver.conversations.models import Conversation, MessageState
from tests.agents.openai_stub import (
    Reply,
    configure,
    cut_reply,
    openai_stub,
    text_reply,
    tool_call_reply,
)
from tests.support.demo_corpus import Demo
from tests.support.turn_tasks import turns_settled
from tests.support.websocket_client import connected, receive_turn, token_for

from .turn_checks import (
    assert_gap_free,
    assert_persisted_like_the_finish_frame,
    first_cited_source,
    stored_message,
    streamed_text,
    types_of,
)

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER = ["The monthly base rent is ", "$28,700, paid in advance [", "1]."]
TITLE = "Harbor Point base rent"


def search_then_answer(body: dict[str, Any]) -> Reply:
    """Titles the conversation when asked to; otherwise searches first, then answers."""
    if "Write a title" in json.dumps(body["messages"][0]):
        return text_reply(TITLE)
    if any(m["role"] == "tool" for m in body["messages"]):
        return text_reply(*ANSWER)
    return tool_call_reply("call_search", "search_document", json.dumps({"query": "base rent"}))


@database_sync_to_async
def conversation_title(pk: int) -> str:
    return Conversation.objects.get(pk=pk).title


async def test_provider_turn_searches_streams_a_cited_answer_and_is_saved(
    demo: Demo, settings: SettingsWrapper, loopback_requests_only: None
) -> None:
    lease = demo.document("commercial_lease.md")
    async with openai_stub(search_then_answer) as stub:
        configure(settings, stub)
        path = f"/ws/document/{lease.pk}/query/?token={token_for(demo.user)}"
        comm, state = await connected(path)
        assert state["data"]["model"] == f"stub-model at {stub.base_url}"

        await comm.send_json_to({"query": "What is the monthly rent?"})
        frames = await receive_turn(comm)
        await comm.disconnect()
        await turns_settled()

    assert types_of(frames) == [
        "ASYNC_START",
        "ASYNC_THOUGHT",
        "ASYNC_THOUGHT",
        "ASYNC_SOURCES",
        "ASYNC_CONTENT",
        "ASYNC_FINISH",
    ]
    assert_gap_free(frames)
    assert (frames[1]["data"]["tool_name"], frames[1]["data"]["args"]) == (
        "search_document",
        {"query": "base rent"},
    )
    finish = frames[-1]
    assert finish["data"]["state"] == "completed"
    assert streamed_text(frames) == finish["content"] == "".join(ANSWER)
    cited = first_cited_source(frames)
    assert cited["document_id"] == lease.pk and "$28,700" in cited["rawText"]
    assert (finish["data"]["usage"]["requests"], finish["data"]["usage"]["output_tokens"]) == (
        2,
        20,
    )
    await assert_persisted_like_the_finish_frame(finish, MessageState.COMPLETED)
    requests = [r.body for r in stub.received]
    assert len(requests) == 3, "search, answer, then the title"
    assert {r["model"] for r in requests} == {"stub-model"}
    assert await conversation_title(frames[0]["data"]["conversation_id"]) == TITLE


async def test_provider_http_500_mid_turn_fails_it_with_a_stable_code(
    demo: Demo, settings: SettingsWrapper, loopback_requests_only: None
) -> None:
    def search_then_fail(body: dict[str, Any]) -> Reply:
        if any(m["role"] == "tool" for m in body["messages"]):
            return Reply(status=500)
        return tool_call_reply("call_search", "search_document", json.dumps({"query": "rent"}))

    lease = demo.document("commercial_lease.md")
    async with openai_stub(search_then_fail) as stub:
        configure(settings, stub)
        comm, _ = await connected(f"/ws/document/{lease.pk}/query/?token={token_for(demo.user)}")
        await comm.send_json_to({"query": "What is the monthly rent?"})
        frames = await receive_turn(comm)
        await comm.disconnect()
        await turns_settled()

    assert types_of(frames) == [
        "ASYNC_START",
        "ASYNC_THOUGHT",
        "ASYNC_THOUGHT",
        "ASYNC_SOURCES",
        "ASYNC_ERROR",
    ]
    assert_gap_free(frames)
    error = frames[-1]["data"]
    assert error["error_code"] == "provider_error"
    message, _ = await stored_message(error["message_id"])
    assert message.state == MessageState.ERROR
    assert (message.data["error_code"], message.data["last_seq"]) == (
        "provider_error",
        error["seq"],
    )
    assert len(stub.received) == 2


async def test_a_provider_stream_cut_off_mid_answer_is_an_error_that_keeps_the_partial_text(
    demo: Demo, settings: SettingsWrapper, loopback_requests_only: None
) -> None:
    """Issue 13 defect 8: an SSE stream that ends with no finish reason and no [DONE] is not a
    completed answer."""
    lease = demo.document("commercial_lease.md")
    partial = ["The monthly base rent ", "is $28,"]
    async with openai_stub(lambda body: cut_reply(*partial)) as stub:
        configure(settings, stub)
        comm, _ = await connected(f"/ws/document/{lease.pk}/query/?token={token_for(demo.user)}")
        await comm.send_json_to({"query": "What is the monthly rent?"})
        frames = await receive_turn(comm)
        await comm.disconnect()
        await turns_settled()

    assert types_of(frames)[0] == "ASYNC_START" and types_of(frames)[-1] == "ASYNC_ERROR"
    assert_gap_free(frames)
    error = frames[-1]["data"]
    assert error["error_code"] == "provider_error"
    assert "cut off" in error["error"]
    assert streamed_text(frames) == "".join(partial)
    message, _ = await stored_message(error["message_id"])
    assert message.state == MessageState.ERROR
    assert message.content == "".join(partial)
    assert (message.data["error_code"], message.data["last_seq"]) == (
        "provider_error",
        error["seq"],
    )
    assert len(stub.received) == 1


async def _turn_against(
    demo: Demo, settings: SettingsWrapper, script: Any
) -> tuple[list[dict[str, Any]], Any]:
    lease = demo.document("commercial_lease.md")
    async with openai_stub(script) as stub:
        configure(settings, stub)
        comm, _ = await connected(f"/ws/document/{lease.pk}/query/?token={token_for(demo.user)}")
        await comm.send_json_to({"query": "What is the monthly rent?"})
        frames = await receive_turn(comm, wait=15)
        await comm.disconnect()
        await turns_settled()
    message, _ = await stored_message(frames[-1]["data"]["message_id"])
    return frames, message


async def test_a_provider_that_hangs_fails_the_turn_within_the_timeout(
    demo: Demo, settings: SettingsWrapper, loopback_requests_only: None
) -> None:
    """Fault suite: the provider accepts the request and then sends nothing for too long."""
    settings.OC_LLM_TIMEOUT_SECONDS = 1.0
    hanging = Reply(cut_reply("late").chunks, delay=2.5)
    frames, message = await _turn_against(demo, settings, lambda body: hanging)
    assert frames[-1]["type"] == "ASYNC_ERROR"
    assert frames[-1]["data"]["error_code"] == "provider_timeout"
    assert message.state == MessageState.ERROR and message.content == streamed_text(frames)


async def test_a_provider_sending_garbage_fails_the_turn_and_keeps_the_partial_text(
    demo: Demo, settings: SettingsWrapper, loopback_requests_only: None
) -> None:
    """Fault suite: the SSE stream carries an event that is not JSON."""
    garbled = Reply(cut_reply("The monthly base rent ").chunks, garbage=True)
    frames, message = await _turn_against(demo, settings, lambda body: garbled)
    assert frames[-1]["type"] == "ASYNC_ERROR"
    assert frames[-1]["data"]["error_code"] == "provider_error"
    assert message.state == MessageState.ERROR
    assert message.content == streamed_text(frames) == "The monthly base rent "
