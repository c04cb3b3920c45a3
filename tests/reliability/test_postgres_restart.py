"""Issue 13 defects 4 and 5: PostgreSQL restarted under a live daphne, idle and mid-turn."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.websocket.scripted_agents import words
from tests.websocket.servers import DaphneServer
from tests.websocket.socket_client import (
    TERMINAL,
    frames_until_end,
    next_frame,
    open_chat,
    send,
    seqs,
    streamed_text,
)

from .http import call
from .postgres import ThrowawayPostgres

CREDENTIALS = {"username": "fault-user", "password": "fault-pass"}


def _statuses(server: DaphneServer, token: str, count: int) -> list[int]:
    """`count` requests one after another, alternating /api/me and the token endpoint."""
    return [
        call(server.http_url, "/api/auth/token", body=CREDENTIALS)[0]
        if index % 2
        else call(server.http_url, "/api/me", token=token)[0]
        for index in range(count)
    ]


def _fill_the_pool(server: DaphneServer, token: str) -> None:
    """Several requests at once, so the pool holds several connections."""
    with ThreadPoolExecutor(8) as pool:
        statuses = list(
            pool.map(lambda _: call(server.http_url, "/api/me", token=token)[0], range(16))
        )
    assert set(statuses) == {200}


async def test_no_request_fails_after_an_idle_postgres_restart(
    postgres: ThrowawayPostgres, daphne_on_postgres: DaphneServer, fault_world: dict[str, Any]
) -> None:
    token = fault_world["token"]
    await asyncio.to_thread(_fill_the_pool, daphne_on_postgres, token)
    postgres.restart()
    assert await asyncio.to_thread(_statuses, daphne_on_postgres, token, 12) == [200] * 12
    assert "Traceback" not in daphne_on_postgres.log.read_text()


def _chat_url(server: DaphneServer, world: dict[str, Any]) -> str:
    return f"{server.url}/ws/document/{world['document_id']}/query/?token={world['token']}"


async def _turn_cut_by(ws: Any, fault: Any) -> list[dict[str, Any]]:
    """Start a long turn, run `fault` (blocking, in a thread) once text flows, read to its end."""
    await send(ws, {"query": json.dumps({"words": 600, "delay": 0.01})})
    frames = [await next_frame(ws)]
    while len(frames) < 20:
        frames.append(await next_frame(ws))
    cut = asyncio.create_task(asyncio.to_thread(fault))
    while frames[-1]["type"] not in TERMINAL:
        frames.append(await next_frame(ws, wait=60))
    await cut
    return frames


def _stored(postgres: ThrowawayPostgres, message_id: int) -> tuple[str, str, dict[str, Any]]:
    [(state, content, data)] = postgres.query(
        "SELECT state, content, data FROM conversations_chatmessage WHERE id = %s", [message_id]
    )
    return state, content, data


async def _conversation_still_answers(ws: Any, postgres: ThrowawayPostgres) -> None:
    await send(ws, {"query": "and now?"})
    after = await frames_until_end(ws)
    assert after[-1]["type"] == "ASYNC_FINISH", after[-1]
    assert after[-1]["content"] == words(5)
    assert _stored(postgres, after[-1]["data"]["message_id"])[0] == "completed"
    locks = postgres.query("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
    assert locks[0][0] >= 1, "the process holds its turn-owner lock again"


async def test_a_postgres_restart_mid_turn_ends_the_turn_and_keeps_the_conversation_usable(
    postgres: ThrowawayPostgres, daphne_on_postgres: DaphneServer, fault_world: dict[str, Any]
) -> None:
    """A restart shorter than the pool's wait is ridden out (the turn completes), or, when a
    query was in flight, ends the turn as error; either way the stored turn is what was sent."""
    ws, _ = await open_chat(_chat_url(daphne_on_postgres, fault_world))
    frames = await _turn_cut_by(ws, postgres.restart)

    assert seqs(frames) == list(range(1, len(frames) + 1))
    end = frames[-1]
    state, content, data = _stored(postgres, end["data"]["message_id"])
    assert content == streamed_text(frames) and content.startswith("w0 w1 ")
    assert data["last_seq"] == end["data"]["seq"]
    if end["type"] == "ASYNC_FINISH":
        assert state == "completed" and content == end["content"] == words(600)
    else:
        assert end["type"] == "ASYNC_ERROR" and end["data"]["error_code"] == "server_error"
        assert state == "error" and data["error_code"] == "server_error"
    await _conversation_still_answers(ws, postgres)
    await ws.close()


async def test_a_postgres_outage_mid_turn_ends_it_as_error_at_once_and_stores_it_when_back(
    postgres: ThrowawayPostgres, daphne_on_postgres: DaphneServer, fault_world: dict[str, Any]
) -> None:
    """Issue 13 defect 4: the database is down for longer than the pool waits (2 s here): the
    socket gets ASYNC_ERROR while the database is still down, the partial text is stored as error
    once it is back, and the next question is answered (no `turn_running` forever)."""
    ws, _ = await open_chat(_chat_url(daphne_on_postgres, fault_world))
    try:
        frames = await _turn_cut_by(ws, postgres.stop_server)
        error = frames[-1]
        assert error["type"] == "ASYNC_ERROR", error
        assert error["data"]["error_code"] == "server_error"
        assert seqs(frames) == list(range(1, len(frames) + 1))
    finally:
        postgres.start_server()
    message_id = error["data"]["message_id"]
    state = await _state_within(postgres, message_id, "error", seconds=30)
    assert state == "error"
    _, content, data = _stored(postgres, message_id)
    assert content == streamed_text(frames) and content.startswith("w0 w1 ")
    assert data["error_code"] == "server_error" and data["last_seq"] == error["data"]["seq"]
    await _conversation_still_answers(ws, postgres)
    await ws.close()


async def _state_within(
    postgres: ThrowawayPostgres, message_id: int, wanted: str, seconds: float
) -> str:
    """The message's state once it is `wanted`, or the last one seen after `seconds`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        state = _stored(postgres, message_id)[0]
        if state == wanted or asyncio.get_running_loop().time() > deadline:
            return state
        await asyncio.sleep(0.1)
