"""The replay buffer: every frame of a turn, kept so RESUME_STREAM can replay it exactly.

With REDIS_URL the frames go to one Redis Stream per turn (entry id `0-<seq>`, so a seq can never be
stored twice and a range read is exact), shared by every server process and surviving a restart of
any of them. Without Redis an in-process buffer does the same for a single process. Frames of a
finished turn are kept for OC_REPLAY_TTL_SECONDS; after that, RESUME_STREAM falls back to the
database (see config/websocket/engine/resume.py).

The runner appends a frame here *before* publishing it to the conversation group; that ordering is
what makes "replay, then follow live" free of gaps.
"""

from __future__ import annotations

import json
import time
from typing import Any, Protocol

from django.conf import settings

from config.websocket.redis_client import get_redis

Frame = dict[str, Any]


def frame_seq(frame: Frame) -> int:
    return int(frame["data"]["seq"])


class ReplayBuffer(Protocol):
    async def append(self, message_id: int, frame: Frame) -> None: ...

    async def read(
        self, message_id: int, after_seq: int, before_seq: int | None = None
    ) -> list[Frame]:
        """Frames with after_seq < seq (< before_seq), in seq order."""
        ...

    async def last_seq(self, message_id: int) -> int | None: ...

    async def finish(self, message_id: int) -> None:
        """The turn's task ended: keep its frames for OC_REPLAY_TTL_SECONDS more."""
        ...


class InProcessReplayBuffer:
    def __init__(self) -> None:
        self._frames: dict[int, list[Frame]] = {}
        self._expires: dict[int, float] = {}

    def _prune(self) -> None:
        now = time.monotonic()
        for message_id in [m for m, at in self._expires.items() if at <= now]:
            self._frames.pop(message_id, None)
            self._expires.pop(message_id, None)

    async def append(self, message_id: int, frame: Frame) -> None:
        self._prune()
        self._expires.pop(message_id, None)
        self._frames.setdefault(message_id, []).append(frame)

    async def read(
        self, message_id: int, after_seq: int, before_seq: int | None = None
    ) -> list[Frame]:
        self._prune()
        return [
            frame
            for frame in self._frames.get(message_id, [])
            if frame_seq(frame) > after_seq
            and (before_seq is None or frame_seq(frame) < before_seq)
        ]

    async def last_seq(self, message_id: int) -> int | None:
        frames = self._frames.get(message_id)
        return frame_seq(frames[-1]) if frames else None

    async def finish(self, message_id: int) -> None:
        self._expires[message_id] = time.monotonic() + settings.OC_REPLAY_TTL_SECONDS


class RedisReplayBuffer:
    """Redis Streams: XADD with explicit ids `0-<seq>`, XRANGE to replay."""

    @staticmethod
    def _key(message_id: int) -> str:
        return f"oc:turn:{message_id}:frames"

    async def append(self, message_id: int, frame: Frame) -> None:
        key = self._key(message_id)
        async with get_redis().pipeline(transaction=False) as pipe:
            pipe.xadd(key, {"f": json.dumps(frame)}, id=f"0-{frame_seq(frame)}")
            pipe.expire(key, settings.OC_REPLAY_MAX_SECONDS)
            await pipe.execute()

    async def read(
        self, message_id: int, after_seq: int, before_seq: int | None = None
    ) -> list[Frame]:
        upper = "+" if before_seq is None else f"0-{before_seq - 1}"
        if before_seq is not None and before_seq - 1 <= after_seq:
            return []
        entries = await get_redis().xrange(
            self._key(message_id), min=f"0-{after_seq + 1}", max=upper
        )
        frames: list[Frame] = []
        for _entry_id, fields in entries or []:
            if fields:
                frames.append(json.loads(fields["f"]))
        return frames

    async def last_seq(self, message_id: int) -> int | None:
        entries = await get_redis().xrevrange(self._key(message_id), count=1)
        if not entries:
            return None
        entry_id = str(entries[0][0])
        return int(entry_id.split("-")[1])

    async def finish(self, message_id: int) -> None:
        await get_redis().expire(self._key(message_id), settings.OC_REPLAY_TTL_SECONDS)


_in_process = InProcessReplayBuffer()
_redis = RedisReplayBuffer()


def get_replay_buffer() -> ReplayBuffer:
    return _redis if settings.REDIS_URL else _in_process
