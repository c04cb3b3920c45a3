"""Which frames of which turns one socket has been sent: live frames and replays, merged so the
client sees every seq exactly once and in order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from config.websocket.engine.replay import Frame, get_replay_buffer
from config.websocket.engine.resume import frames_after


class TurnFollower:
    def __init__(self, send: Callable[[Frame], Awaitable[None]]) -> None:
        self._send = send
        self._delivered: dict[int, int] = {}
        self._held: set[int] = set()

    def hold(self, message_id: int) -> None:
        """A turn that began before this socket: its frames wait for RESUME_STREAM."""
        self._held.add(message_id)

    def follow_from(self, message_id: int, seq: int) -> None:
        """Send this turn's frames after `seq` as they come."""
        self._held.discard(message_id)
        self._delivered[message_id] = max(self._delivered.get(message_id, 0), seq)

    async def on_live_frame(self, frame: Frame) -> None:
        message_id = int(frame["data"]["message_id"])
        seq = int(frame["data"]["seq"])
        if message_id in self._held:
            return
        delivered = self._delivered.get(message_id, 0)
        if seq <= delivered:
            return
        if seq > delivered + 1:
            # A frame was lost on the way (e.g. a full channel): fill the gap from the buffer.
            for missing in await get_replay_buffer().read(message_id, delivered, before_seq=seq):
                await self._send(missing)
        await self._send(frame)
        self._delivered[message_id] = seq

    async def replay(self, conversation_id: int, message_id: int, after_seq: int) -> int | None:
        """Send the frames after `after_seq`, then follow live; the number sent, or None when the
        turn is not in this conversation."""
        frames = await frames_after(conversation_id, message_id, after_seq)
        if frames is None:
            return None
        delivered = after_seq
        for frame in frames:
            await self._send(frame)
            delivered = max(delivered, int(frame["data"]["seq"]))
        self._held.discard(message_id)
        self._delivered[message_id] = delivered
        return len(frames)
