"""STOP with the real offline agent streaming at a visible pace: the server cancels the run and
keeps exactly what was streamed, as `cancelled`."""

from __future__ import annotations

import time

import pytest
from pytest_django import Settings as SettingsWrapper

from opencontractserver.conversations.models import MessageState
from tests.websocket.conftest import connected, receive, receive_turn, token_for

from .conftest import Demo
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
