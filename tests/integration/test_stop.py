"""STOP with the real offline agent streaming at a visible pace: the server cancels the run and
keeps exactly what was streamed, as `cancelled`."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from pytest_django import Settings as SettingsWrapper

from opencontractserver.conversations.models import MessageState
from tests.agents.openai_stub import Reply, configure, openai_stub, text_reply
from tests.support.demo_corpus import Demo
from tests.support.turn_tasks import turns_settled
from tests.support.websocket_client import connected, receive, receive_turn, token_for

from .turn_checks import assert_gap_free, assert_persisted_like_the_finish_frame, streamed_text

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = "What are the Landlord's maintenance and repair duties?"


async def test_stop_mid_answer_cancels_and_keeps_the_streamed_part(
    demo: Demo, settings: SettingsWrapper
) -> None:
    settings.OC_OFFLINE_TOKENS_PER_SECOND = 20
    lease = demo.document("commercial_lease.md")
    comm, _ = await connected(f"/ws/document/{lease.pk}/query/?token={token_for(demo.user)}")
    await comm.send_json_to({"query": QUESTION})
    frames = [await receive(comm)]
    while sum(f["type"] == "ASYNC_CONTENT" for f in frames) < 3:
        frames.append(await receive(comm))
    message_id = frames[0]["data"]["message_id"]

    await comm.send_json_to({"type": "STOP", "message_id": message_id})
    stopped_at = time.monotonic()
    while frames[-1]["type"] != "ASYNC_FINISH":
        frames.append(await receive(comm))

    assert time.monotonic() - stopped_at < 1, "STOP ends the turn at once, not at the answer's end"
    assert await comm.receive_nothing(timeout=0.2)
    finish = frames[-1]
    assert finish["data"]["state"] == "cancelled"
    assert_gap_free(frames)
    partial = streamed_text(frames)
    assert partial and partial == finish["content"]
    await assert_persisted_like_the_finish_frame(finish, MessageState.CANCELLED)

    settings.OC_OFFLINE_TOKENS_PER_SECOND = 0
    await comm.send_json_to({"query": QUESTION})
    whole = await receive_turn(comm)
    assert whole[-1]["data"]["state"] == "completed", "the conversation goes on after a STOP"
    answer = whole[-1]["content"]
    assert answer.startswith(partial) and len(partial) < len(answer)
    assert "[1]" in answer and "[1]" not in partial
    await comm.disconnect()


async def test_stop_cancels_a_provider_stream_mid_answer(
    demo: Demo, settings: SettingsWrapper, loopback_requests_only: None
) -> None:
    words = [f"word{n} " for n in range(60)]

    def slow_answer(body: dict[str, Any]) -> Reply:
        if "Write a title" in json.dumps(body["messages"][0]):
            return text_reply("Never titled")
        reply = text_reply(*words)
        reply.delay = 0.05
        return reply

    lease = demo.document("commercial_lease.md")
    async with openai_stub(slow_answer) as stub:
        configure(settings, stub)
        comm, _ = await connected(f"/ws/document/{lease.pk}/query/?token={token_for(demo.user)}")
        await comm.send_json_to({"query": "Tell me everything"})
        frames = [await receive(comm)]
        while sum(f["type"] == "ASYNC_CONTENT" for f in frames) < 3:
            frames.append(await receive(comm))
        await comm.send_json_to({"type": "STOP", "message_id": frames[0]["data"]["message_id"]})
        stopped_at = time.monotonic()
        while frames[-1]["type"] != "ASYNC_FINISH":
            frames.append(await receive(comm))
        assert time.monotonic() - stopped_at < 1, "the provider stream was cancelled, not drained"
        await comm.disconnect()
        await turns_settled()

    finish = frames[-1]
    assert finish["data"]["state"] == "cancelled"
    assert_gap_free(frames)
    partial = streamed_text(frames)
    assert partial == finish["content"] and "".join(words).startswith(partial)
    assert 0 < len(partial) < len("".join(words))
    await assert_persisted_like_the_finish_frame(finish, MessageState.CANCELLED)
    assert len(stub.received) == 1, "a cancelled turn is not titled"
