"""Properties of the hot path under load (counted, never timed).

- a frame's fan-out work does not depend on how many sockets follow *other* conversations;
- (a whole turn streams while Channels' database thread is blocked: test_hot_path.py);
- a slow checkpoint does not hold back frames, and at most one checkpoint write is in flight;
- the queries a turn costs, and a STOP, are pinned; starts asked together share one statement;
- coalescing batches more, not less, when one turn of the event loop outlasts the window;
- the replay buffer of finished turns stays within its count and byte bounds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from types import FrameType
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from config.websocket.engine import fanout
from config.websocket.engine.replay import Frame, InProcessReplayBuffer
from config.websocket.engine.socket_follower import SocketFollower
from opencontractserver.conversations import turn_store
from opencontractserver.conversations.message_data import Usage
from opencontractserver.conversations.models import ChatMessage, MessageState
from opencontractserver.documents.models import Document
from opencontractserver.llms.agents.events import AgentEvent, ContentDelta, RunFinished
from opencontractserver.llms.agents.interface import AgentScope, PausedRun
from opencontractserver.users.models import User
from tests.support.statements import counted_statements
from tests.support.turn_tasks import turns_settled
from tests.support.websocket_client import connected, document_path, receive, receive_turn

from . import scripted_agents

pytestmark = pytest.mark.django_db(transaction=True)


def _frame(message_id: int, seq: int) -> Frame:
    return {
        "type": "ASYNC_CONTENT",
        "content": "w0 ",
        "data": {"message_id": message_id, "seq": seq},
    }


async def _calls_to_publish(conversation_id: int, message_id: int, seqs: range) -> int:
    """Python and C function calls made while publishing the frames `seqs`."""
    calls = 0

    def count(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(count)
    try:
        for seq in seqs:
            await fanout.publish_turn_frame(conversation_id, message_id, _frame(message_id, seq))
    finally:
        sys.setprofile(None)
    return calls


async def test_work_per_frame_does_not_depend_on_unrelated_sockets() -> None:
    received: list[str | None] = []

    async def send(frame: Frame, text: str | None) -> None:
        received.append(text)

    watcher = SocketFollower(send)
    await watcher.start()
    await fanout.follow(910001, watcher)
    idle = [SocketFollower(send) for _ in range(500)]
    try:
        await _calls_to_publish(910001, 910002, range(1, 6))  # warm up
        alone = await _calls_to_publish(910001, 910002, range(6, 26))
        for index, follower in enumerate(idle):
            await fanout.follow(920000 + index, follower)
        crowded = await _calls_to_publish(910001, 910002, range(26, 46))
    finally:
        await fanout.unfollow(910001, watcher)
        for index, follower in enumerate(idle):
            await fanout.unfollow(920000 + index, follower)
    assert crowded == alone, (alone, crowded)
    assert len(received) == 45, "only the conversation's own socket got the frames"


@override_settings(OC_CHECKPOINT_INTERVAL_SECONDS=0.02)
async def test_a_slow_checkpoint_does_not_delay_frames(
    owner: User, private_document: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()
    written: list[str] = []
    in_flight = [0, 0]  # now, most ever
    original = turn_store.checkpoint_turn

    def slow_checkpoint(message_id: int, content: str) -> None:
        in_flight[0] += 1
        in_flight[1] = max(in_flight)
        entered.set()
        release.wait(timeout=20)
        written.append(content)
        original(message_id, content)
        in_flight[0] -= 1

    monkeypatch.setattr(turn_store, "checkpoint_turn", slow_checkpoint)
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": json.dumps({"words": 40, "delay": 0.005})})
    content = ""
    try:
        while content != scripted_agents.words(40):
            frame = await receive(comm)
            if frame["type"] == "ASYNC_CONTENT":
                content += frame["content"]
        assert entered.is_set() and not written, "every frame went out during the checkpoint"
    finally:
        release.set()
    finish = await receive(comm)
    assert finish["type"] == "ASYNC_FINISH" and finish["content"] == content
    assert in_flight[1] == 1, "at most one checkpoint write in flight"
    assert len(written) == 1, "checkpoints asked for meanwhile were replaced, not queued"
    stored = await database_sync_to_async(ChatMessage.objects.get)(pk=finish["data"]["message_id"])
    assert stored.state == MessageState.COMPLETED and stored.content == content, "final write last"
    await turns_settled()
    await comm.disconnect()


@pytest.fixture
def counted_queries() -> Iterator[list[str]]:
    """Every SQL statement any thread runs while the fixture is active."""
    with counted_statements() as statements:
        yield statements


async def _socket_on_a_titled_conversation(
    owner: User, document: Document
) -> WebsocketCommunicator:
    """A socket whose conversation has had its first turn (which also titles it), settled."""
    comm, _ = await connected(document_path(document.pk, owner))
    await comm.send_json_to({"query": json.dumps({"words": 3})})
    await receive_turn(comm)
    await turns_settled()
    return comm


# A turn in a conversation, as counted (savepoints and commits are not statements here): to
# start it, one statement (conversations/turn_start.py: lock the conversation if writable, which
# re-checks read access to the subject, a running turn?, a resent client_id?, insert HUMAN and
# LLM); to end it, read and write the message, then the title check (one query: the first
# completed answer with its conversation's title and its question). 4 in all; was 12, then 9 (5
# to start: settle dead processes' turns, lock, a running turn?, and each insert; 2 title reads).
QUERIES_TO_START_A_TURN = 1
QUERIES_TO_FINISH_A_TURN = 3


@override_settings(OC_CHECKPOINT_INTERVAL_SECONDS=3600)
async def test_queries_per_turn_are_pinned(
    owner: User, private_document: Document, counted_queries: list[str]
) -> None:
    comm = await _socket_on_a_titled_conversation(owner, private_document)
    for words in (1, 50):
        counted_queries.clear()
        await comm.send_json_to({"query": json.dumps({"words": words})})
        frames = await receive_turn(comm)
        await turns_settled()
        assert frames[-1]["content"] == scripted_agents.words(words)
        assert len(counted_queries) == QUERIES_TO_START_A_TURN + QUERIES_TO_FINISH_A_TURN, (
            counted_queries
        )
    await comm.disconnect()


@override_settings(OC_CHECKPOINT_INTERVAL_SECONDS=3600)
async def test_starts_asked_together_are_stored_in_one_statement(
    owner: User, private_document: Document, counted_queries: list[str]
) -> None:
    """Eight sockets ask in the same turn of the event loop: one start statement stores all
    eight turns (engine/start_batches.py), and each streams its own answer to the end."""
    sockets = [await _socket_on_a_titled_conversation(owner, private_document) for _ in range(8)]
    counted_queries.clear()
    queries = [json.dumps({"words": 5 + index}) for index in range(8)]
    await asyncio.gather(
        *(comm.send_json_to({"query": query}) for comm, query in zip(sockets, queries, strict=True))
    )
    turns = await asyncio.gather(*(receive_turn(comm) for comm in sockets))
    await turns_settled()

    starts = [sql for sql in counted_queries if "conversations_active_turn" in sql]
    assert len(starts) == 1, f"{len(starts)} start statements for 8 starts"
    for index, frames in enumerate(turns):
        assert frames[-1]["type"] == "ASYNC_FINISH"
        assert frames[-1]["content"] == scripted_agents.words(5 + index)
    ids = {frames[0]["data"]["message_id"] for frames in turns}
    assert len(ids) == 8
    for comm in sockets:
        await comm.disconnect()


@override_settings(OC_CHECKPOINT_INTERVAL_SECONDS=3600)
async def test_turns_ending_together_share_their_final_write(
    owner: User, private_document: Document, counted_queries: list[str]
) -> None:
    """Eight equal turns started together end together: their final writes go in one
    transaction (engine/finish_batches.py), each turn's row as it would be alone."""
    sockets = [await _socket_on_a_titled_conversation(owner, private_document) for _ in range(8)]
    counted_queries.clear()
    query = json.dumps({"words": 20})
    await asyncio.gather(*(comm.send_json_to({"query": query}) for comm in sockets))
    turns = await asyncio.gather(*(receive_turn(comm) for comm in sockets))
    await turns_settled()

    batched_reads = [sql for sql in counted_queries if "= ANY(" in sql and "FOR UPDATE" in sql]
    single_reads = [
        sql
        for sql in counted_queries
        if "FOR UPDATE" in sql and "conversations_active_turn" not in sql
    ]
    assert len(batched_reads) == 1 and len(single_reads) == 1, "\n".join(single_reads)
    for frames in turns:
        message = await database_sync_to_async(ChatMessage.objects.get)(
            pk=frames[-1]["data"]["message_id"]
        )
        assert (message.state, message.content) == (
            MessageState.COMPLETED,
            scripted_agents.words(20),
        )
        assert message.owner_key is None
    for comm in sockets:
        await comm.disconnect()


# STOP of a running turn, counted from the STOP frame to the settled turn: the message STOP names
# (1 select), whether the user may write to its conversation (1 select), then the final write
# (read and write the message: a completed turn's ending, without its title check). 4 in all.
QUERIES_TO_STOP_A_TURN = 4


@override_settings(OC_CHECKPOINT_INTERVAL_SECONDS=3600)
async def test_queries_to_stop_a_turn_are_pinned(
    owner: User, private_document: Document, counted_queries: list[str]
) -> None:
    comm = await _socket_on_a_titled_conversation(owner, private_document)
    await comm.send_json_to({"query": json.dumps({"words": 400, "delay": 0.01})})
    start = await receive(comm)
    await receive(comm)  # streaming has begun
    counted_queries.clear()
    await comm.send_json_to({"type": "STOP", "message_id": start["data"]["message_id"]})
    frames = await receive_turn(comm)
    await turns_settled()
    assert frames[-1]["type"] == "ASYNC_FINISH" and frames[-1]["data"]["state"] == "cancelled"
    assert len(counted_queries) == QUERIES_TO_STOP_A_TURN, "\n".join(counted_queries)
    await comm.disconnect()


# A handshake: the token's user (1 select), the route's document (1 select); loading a
# conversation adds the conversation (1 select), settling dead processes' turns (1 select) and
# the snapshot of a running or paused turn (1 select). The model label costs none.
QUERIES_TO_CONNECT = 2
QUERIES_TO_CONNECT_LOADING_A_CONVERSATION = 5


async def test_queries_per_handshake_are_pinned(
    owner: User, private_document: Document, counted_queries: list[str]
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": json.dumps({"words": 3})})
    conversation_id = (await receive_turn(comm))[0]["data"]["conversation_id"]
    await turns_settled()
    fresh_path = document_path(private_document.pk, owner)
    loaded_path = document_path(
        private_document.pk, owner, f"&load_from_conversation_id={conversation_id}"
    )

    counted_queries.clear()
    fresh, fresh_state = await connected(fresh_path)
    assert fresh_state["data"]["conversation_id"] is None
    assert len(counted_queries) == QUERIES_TO_CONNECT, counted_queries

    counted_queries.clear()
    loaded, loaded_state = await connected(loaded_path)
    assert loaded_state["data"]["conversation_id"] == conversation_id
    assert len(counted_queries) == QUERIES_TO_CONNECT_LOADING_A_CONVERSATION, counted_queries
    for socket in (comm, fresh, loaded):
        await socket.disconnect()


class BusyLoopAgent:
    """Streams deltas while something else holds the event loop 60 ms between them (> window)."""

    def __init__(self, scope: AgentScope) -> None:
        self.scope = scope

    @property
    def model_label(self) -> str:
        return "busy:test"

    async def run(self, query: str) -> AsyncIterator[AgentEvent]:
        count = int(query)
        for i in range(count):
            await asyncio.sleep(0)
            time.sleep(0.06)  # noqa: ASYNC251 - a turn of the loop longer than the 40 ms window
            yield ContentDelta(f"w{i} ")
        yield RunFinished(usage=Usage(), model_messages=[])

    async def resume(self, paused: PausedRun, approved: bool) -> AsyncIterator[AgentEvent]:
        yield RunFinished(usage=Usage(), model_messages=paused.model_messages)


def build_busy_agent(scope: AgentScope) -> BusyLoopAgent:
    return BusyLoopAgent(scope)


@override_settings(
    OC_COALESCE_WINDOW_MS=40,
    OC_AGENT_FACTORY="tests.websocket.test_load_properties.build_busy_agent",
)
async def test_coalescing_batches_more_when_the_loop_is_busy(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": "20"})
    frames = await receive_turn(comm, wait=10)
    content = [f["content"] for f in frames if f["type"] == "ASYNC_CONTENT"]
    assert "".join(content) == scripted_agents.words(20)
    assert content[0] == "w0 ", "the first delta is not delayed"
    assert len(content) <= 11, f"{len(content)} frames for 20 deltas: each went out alone"
    await turns_settled()
    await comm.disconnect()


@override_settings(OC_REPLAY_MAX_FINISHED_TURNS=5, OC_REPLAY_MAX_FINISHED_BYTES=2000)
async def test_the_replay_buffer_of_finished_turns_is_bounded_in_count_and_bytes() -> None:
    buffer = InProcessReplayBuffer()
    running = 999
    await buffer.append(running, _frame(running, 1))
    for message_id in range(1, 41):
        for seq in range(1, 11):
            await buffer.append(message_id, _frame(message_id, seq))
        await buffer.finish(message_id)
        assert buffer.finished_turns <= 5
        assert buffer.finished_bytes <= 2000
    kept = [m for m in range(1, 41) if await buffer.last_seq(m) is not None]
    kept_bytes = 0
    for message_id in kept:
        kept_bytes += sum(len(json.dumps(f)) for f in await buffer.read(message_id, 0))
    assert kept and buffer.finished_bytes == kept_bytes and len(kept) == buffer.finished_turns
    assert [f["data"]["seq"] for f in await buffer.read(40, 0)] == list(range(1, 11))
    assert await buffer.read(1, 0) == [], "the oldest finished turn went first"
    assert await buffer.last_seq(running) == 1, "a running turn is never evicted"
    # One huge finished turn over the byte bound is not kept at all.
    for seq in range(1, 200):
        await buffer.append(running, _frame(running, seq + 1))
    await buffer.finish(running)
    assert await buffer.last_seq(running) is None and buffer.finished_bytes <= 2000
