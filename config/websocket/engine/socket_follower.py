"""Which frames of which turns one socket has been sent: live frames and replays, merged so the
client sees every seq exactly once and in order.

Live frames are handed over by the fan-out directly (not through the consumer's mailbox), so
they can arrive while a replay is being read: whatever arrives while the follower is busy waits
in a backlog and is delivered, deduplicated by seq, right after.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

from config.websocket.engine.replay import Frame, get_replay_buffer
from config.websocket.engine.resume import frames_after

Send = Callable[[Frame, str | None], Awaitable[None]]


class SocketFollower:
    """The frames one socket has been sent, per turn; live frames and replays merged."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._delivered: dict[int, int] = {}
        self._held: set[int] = set()
        # Until start(): the consumer has not sent SYNC_STATE yet, so live frames wait.
        self._busy = True
        self._started = False
        self._idle = asyncio.Event()
        self._backlog: deque[tuple[Frame, str | None]] = deque()

    async def start(self) -> None:
        """SYNC_STATE is sent (and `hold` / `follow_from` set): deliver what waited, then live."""
        if not self._started:
            self._started = True
            await self._drain()

    def hold(self, message_id: int) -> None:
        """A turn that began before this socket: its frames wait for RESUME_STREAM."""
        self._held.add(message_id)

    def follow_from(self, message_id: int, seq: int) -> None:
        """Send this turn's frames after `seq` as they come."""
        self._held.discard(message_id)
        self._delivered[message_id] = max(self._delivered.get(message_id, 0), seq)

    async def on_live_frame(self, frame: Frame, text: str | None = None) -> None:
        """A frame of the conversation, as it is published (`text`: its encoding)."""
        if self._busy:
            self._backlog.append((frame, text))
            return
        self._busy = True
        self._idle.clear()
        try:
            await self._live(frame, text)
        finally:
            await self._drain()

    async def _live(self, frame: Frame, text: str | None) -> None:
        message_id = int(frame["data"]["message_id"])
        seq = int(frame["data"]["seq"])
        if message_id in self._held:
            return
        delivered = self._delivered.get(message_id, 0)
        if seq <= delivered:
            return
        if seq > delivered + 1:
            # A frame was lost on the way (e.g. a Redis reconnect): fill the gap from the buffer.
            for missing in await get_replay_buffer().read(message_id, delivered, before_seq=seq):
                await self._send(missing, None)
        await self._send(frame, text)
        self._delivered[message_id] = seq

    async def _drain(self) -> None:
        try:
            while self._backlog:
                await self._live(*self._backlog.popleft())
        finally:
            self._busy = False
            self._idle.set()

    async def replay(self, conversation_id: int, message_id: int, after_seq: int) -> int | None:
        """Send the frames after `after_seq`, then follow live; the number sent, or None when the
        turn is not in this conversation."""
        while self._busy:  # a live frame is being delivered (e.g. filling a gap from Redis)
            await self._idle.wait()
        self._busy = True
        self._idle.clear()
        try:
            frames = await frames_after(conversation_id, message_id, after_seq)
            if frames is None:
                return None
            delivered = after_seq
            for frame in frames:
                await self._send(frame, None)
                delivered = max(delivered, int(frame["data"]["seq"]))
            self._held.discard(message_id)
            self._delivered[message_id] = delivered
            return len(frames)
        finally:
            await self._drain()
