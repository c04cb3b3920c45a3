"""The replay buffer: every frame of a turn, kept so RESUME_STREAM can replay it exactly.

With REDIS_URL the frames go to one Redis Stream per turn (entry id `0-<seq>`, so a seq can never be
stored twice and a range read is exact), shared by every server process and surviving a restart of
any of them. Without Redis an in-process buffer does the same for a single process. Frames of a
finished turn are kept for OC_REPLAY_TTL_SECONDS; in process, also only for the newest
OC_REPLAY_MAX_FINISHED_TURNS finished turns and OC_REPLAY_MAX_FINISHED_BYTES of their frames
(the oldest finished turn goes first). After that, RESUME_STREAM falls back to the database (see
config/websocket/engine/resume.py).

Frames are stored as their wire text (encoded once, by the fan-out): smaller than the dicts, and
the bytes the memory bound counts. The fan-out appends a frame here *before* delivering it; that
ordering is what makes "replay, then follow live" free of gaps.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings

from config.websocket.redis_client import get_redis

from .loop_batches import LoopTurnBatches
from .per_loop import PerLoop

Frame = dict[str, Any]


def frame_seq(frame: Frame) -> int:
    return int(frame["data"]["seq"])


class ReplayBuffer(Protocol):
    async def append(
        self,
        message_id: int,
        frame: Frame,
        text: str | None = None,
        announce: tuple[str, str] | None = None,
    ) -> None:
        """Store the frame (`text`: its wire encoding, when already made). With Redis,
        `announce` = (channel, payload) is published in the same round trip."""
        ...

    async def read(
        self, message_id: int, after_seq: int, before_seq: int | None = None
    ) -> list[Frame]:
        """Frames with after_seq < seq (< before_seq), in seq order."""
        ...

    async def last_seq(self, message_id: int) -> int | None: ...

    async def finish(self, message_id: int) -> None:
        """The turn's task ended: keep its frames for OC_REPLAY_TTL_SECONDS more (bounded)."""
        ...


@dataclass
class _TurnFrames:
    seqs: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    size: int = 0


class InProcessReplayBuffer:
    """Running turns' frames, and finished ones' bounded by time, count and bytes.

    Finished turns sit in finishing order (every turn gets the same TTL, so that is also expiry
    order): pruning pops from the front and costs nothing per frame beyond what it evicts.
    """

    def __init__(self) -> None:
        self._frames: dict[int, _TurnFrames] = {}
        # Finished turns, oldest first: message id -> (expiry, bytes of its frames).
        self._finished: OrderedDict[int, tuple[float, int]] = OrderedDict()
        self._finished_bytes = 0

    @property
    def finished_bytes(self) -> int:
        """Bytes of frames held for finished turns (what OC_REPLAY_MAX_FINISHED_BYTES bounds)."""
        return self._finished_bytes

    @property
    def finished_turns(self) -> int:
        return len(self._finished)

    def _prune(self) -> None:
        now = time.monotonic()
        while self._finished:
            message_id, (expires, _size) = next(iter(self._finished.items()))
            if (
                expires > now
                and len(self._finished) <= settings.OC_REPLAY_MAX_FINISHED_TURNS
                and self._finished_bytes <= settings.OC_REPLAY_MAX_FINISHED_BYTES
            ):
                return
            self._forget(message_id)

    def _forget(self, message_id: int) -> None:
        self._frames.pop(message_id, None)
        self._unfinish(message_id)

    def _unfinish(self, message_id: int) -> None:
        finished = self._finished.pop(message_id, None)
        if finished is not None:
            self._finished_bytes -= finished[1]

    async def append(
        self,
        message_id: int,
        frame: Frame,
        text: str | None = None,
        announce: tuple[str, str] | None = None,
    ) -> None:
        self._unfinish(message_id)  # a stored ending may be appended after the task ended
        turn = self._frames.setdefault(message_id, _TurnFrames())
        encoded = text if text is not None else json.dumps(frame)
        turn.seqs.append(frame_seq(frame))
        turn.texts.append(encoded)
        turn.size += len(encoded)
        self._prune()

    async def read(
        self, message_id: int, after_seq: int, before_seq: int | None = None
    ) -> list[Frame]:
        self._prune()
        turn = self._frames.get(message_id)
        if turn is None:
            return []
        return [
            json.loads(text)
            for seq, text in zip(turn.seqs, turn.texts, strict=True)
            if seq > after_seq and (before_seq is None or seq < before_seq)
        ]

    async def last_seq(self, message_id: int) -> int | None:
        self._prune()
        turn = self._frames.get(message_id)
        return turn.seqs[-1] if turn and turn.seqs else None

    async def finish(self, message_id: int) -> None:
        turn = self._frames.get(message_id)
        if turn is None:
            return
        self._unfinish(message_id)
        self._finished_bytes += turn.size
        self._finished[message_id] = (time.monotonic() + settings.OC_REPLAY_TTL_SECONDS, turn.size)
        self._prune()


@dataclass(frozen=True)
class _Append:
    key: str
    encoded: str
    seq: int
    announce: tuple[str, str] | None


async def _store(batch: list[_Append]) -> list[Exception | None]:
    """The frames every turn of this process appended during one turn of the event loop
    (loop_batches.py), in one Redis pipeline: their XADDs, one EXPIRE per stream, then their
    announcements; each frame's outcome is its own XADD's, so a frame Redis refuses fails only
    its own turn. (At N=1 000 across two processes, a pipeline per frame was the largest share
    of the loop's time: its socket write, and the GIL to take back after it.) A frame's append
    returns once the frame is stored, so "stored for replay, then sent live" holds per frame,
    and a turn's next frame (appended after that) is never in an earlier batch."""
    async with get_redis().pipeline(transaction=False) as pipe:
        for append in batch:
            pipe.xadd(append.key, {"f": append.encoded}, id=f"0-{append.seq}")
        for key in dict.fromkeys(append.key for append in batch):
            pipe.expire(key, settings.OC_REPLAY_MAX_SECONDS)
        for append in batch:
            if append.announce is not None:
                pipe.publish(*append.announce)
        results = await pipe.execute(raise_on_error=False)
    return [
        result if isinstance(result, Exception) else None
        for result in results[: len(batch)]  # the XADDs' replies come first
    ]


# A Redis client belongs to one loop.
_batches: PerLoop[LoopTurnBatches[_Append, None]] = PerLoop(
    lambda loop: LoopTurnBatches(loop, _store)
)


class RedisReplayBuffer:
    """Redis Streams: XADD with explicit ids `0-<seq>`, XRANGE to replay."""

    @staticmethod
    def _key(message_id: int) -> str:
        return f"oc:turn:{message_id}:frames"

    async def append(
        self,
        message_id: int,
        frame: Frame,
        text: str | None = None,
        announce: tuple[str, str] | None = None,
    ) -> None:
        """Store the frame (and publish `announce`), with the frames other turns append in the
        same turn of the loop."""
        encoded = text if text is not None else json.dumps(frame)
        append = _Append(self._key(message_id), encoded, frame_seq(frame), announce)
        await _batches.get().submit(append)

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


def in_process_replay_buffer() -> InProcessReplayBuffer:
    return _in_process


def get_replay_buffer() -> ReplayBuffer:
    return _redis if settings.REDIS_URL else _in_process
