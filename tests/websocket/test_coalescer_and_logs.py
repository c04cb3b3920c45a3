"""Coalescing rules in isolation, and the session/message id on every log line of a turn."""

from __future__ import annotations

import json
import logging

import pytest

from config.websocket.engine.coalescer import ContentCoalescer
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.support.websocket_client import connected, document_path, receive_turn


def test_first_delta_goes_out_at_once_and_later_ones_wait_for_the_window() -> None:
    coalescer = ContentCoalescer(window_seconds=0.05)
    assert coalescer.add("a", now=10.0) == "a"
    assert coalescer.add("b", now=10.01) is None
    assert coalescer.add("c", now=10.02) is None
    assert coalescer.due_in(now=10.03) == pytest.approx(0.02)
    assert coalescer.add("d", now=10.05) == "bcd"
    assert coalescer.due_in(now=10.06) is None
    assert coalescer.add("", now=10.2) is None


def test_release_flushes_whatever_is_pending() -> None:
    coalescer = ContentCoalescer(window_seconds=1.0)
    coalescer.add("x", now=0.0)
    coalescer.add("y", now=0.1)
    assert coalescer.release(now=0.2) == "y"
    assert coalescer.release(now=0.3) is None


@pytest.mark.django_db(transaction=True)
async def test_every_log_line_of_a_turn_names_the_session_and_the_message(
    owner: User, private_document: Document, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="config.websocket")
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": json.dumps({"words": 2})})
    frames = await receive_turn(comm)
    await comm.send_to(text_data="nope")
    await comm.receive_json_from()
    await comm.disconnect()
    lines = [r.getMessage() for r in caplog.records if r.name == "config.websocket"]
    assert len(lines) >= 3
    session = lines[0].split()[0]
    assert session.startswith("session=") and len(session) == len("session=") + 8
    assert all(line.startswith(f"{session} message=") for line in lines)
    message_id = frames[0]["data"]["message_id"]
    assert any(f"message={message_id} turn completed" in line for line in lines)
