"""The Redis replay buffer's batches (engine/replay.py): the frames all turns append in one turn
of the event loop reach Redis in one pipeline, each is stored before its append returns, the
announcements follow in order, and a frame Redis refuses fails only its own append. A real
redis-server; the client's `pipeline` is only counted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from config.websocket import redis_client
from config.websocket.engine.replay import Frame, RedisReplayBuffer

from .servers import RedisServer

TURNS = (101, 102, 103)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = RedisServer(Path(tmp_path_factory.mktemp("replay-batches"))).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
async def pipelines(
    redis_url: str, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[list[object]]:
    """Redis on for this test; every pipeline the client makes, in order."""
    settings.REDIS_URL = redis_url
    monkeypatch.setattr(redis_client, "_clients", {})
    client = redis_client.get_redis()
    made: list[object] = []
    real = client.pipeline

    def counted(*args: Any, **kwargs: Any) -> Any:
        pipe = real(*args, **kwargs)
        made.append(pipe)
        return pipe

    monkeypatch.setattr(client, "pipeline", counted)
    yield made
    await client.aclose()


def _frame(message_id: int, seq: int) -> Frame:
    return {
        "type": "ASYNC_CONTENT",
        "content": f"turn {message_id} frame {seq}",
        "data": {"message_id": message_id, "seq": seq},
    }


async def test_frames_of_all_turns_appended_in_one_loop_turn_share_one_pipeline(
    pipelines: list[object],
) -> None:
    buffer = RedisReplayBuffer()
    listener = redis_client.get_redis().pubsub()
    await listener.subscribe("announced")
    confirmed = await listener.get_message(timeout=5)
    assert confirmed is not None and confirmed["type"] == "subscribe"
    for seq in (1, 2, 3):
        await asyncio.gather(
            *(buffer.append(m, _frame(m, seq), announce=("announced", f"{m}:{seq}")) for m in TURNS)
        )

    assert len(pipelines) == 3, "one pipeline per loop turn, not one per frame (9)"
    for message_id in TURNS:
        assert await buffer.read(message_id, 0) == [_frame(message_id, s) for s in (1, 2, 3)]
    announced: list[str] = []
    while len(announced) < 9:
        message = await listener.get_message(timeout=5)
        assert message is not None, f"announcements missing after {announced}"
        announced.append(message["data"])
    assert announced == [f"{m}:{s}" for s in (1, 2, 3) for m in TURNS]
    await listener.aclose()  # type: ignore[no-untyped-call]


async def test_a_frame_redis_refuses_fails_its_own_append_only(pipelines: list[object]) -> None:
    buffer = RedisReplayBuffer()
    await buffer.append(201, _frame(201, 5))
    outcomes = await asyncio.gather(
        buffer.append(201, _frame(201, 5)),  # the same seq again: Redis refuses its XADD
        buffer.append(202, _frame(202, 1)),
        return_exceptions=True,
    )

    assert len(pipelines) == 2, "the two appends went in one pipeline"
    refused, stored = outcomes
    assert isinstance(refused, Exception) and "XADD" in str(refused).upper()
    assert stored is None
    assert await buffer.read(202, 0) == [_frame(202, 1)]
    assert await buffer.read(201, 0) == [_frame(201, 5)]
