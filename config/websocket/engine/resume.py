"""RESUME_STREAM: the frames of a turn after a given seq, from the replay buffer, completed from
the database when the buffer no longer holds the turn's end (it expired, or its process died)."""

from __future__ import annotations

from config.websocket.protocol import (
    TERMINAL_FRAME_TYPES,
    ApprovalNeededData,
    AsyncApprovalNeededFrame,
    AsyncErrorData,
    AsyncErrorFrame,
    AsyncFinishData,
    AsyncFinishFrame,
    TurnFrame,
    frame_to_wire,
)
from opencontractserver.conversations import turn_store
from opencontractserver.conversations.message_data import Usage
from opencontractserver.conversations.models import MessageState

from .db_pool import run_db
from .replay import Frame, frame_seq, get_replay_buffer


def frame_from_record(record: turn_store.StoredTurn, seq: int) -> TurnFrame | None:
    """The frame that ends a stored turn (None while it is still running)."""
    data = record.data
    stamp = {"message_id": record.message_id, "seq": seq}
    if record.state in (MessageState.COMPLETED, MessageState.CANCELLED):
        return AsyncFinishFrame(
            content=record.content,
            data=AsyncFinishData(
                **stamp,
                state="cancelled" if record.state == MessageState.CANCELLED else "completed",
                sources=data.sources or [],
                timeline=data.timeline or [],
                usage=data.usage or Usage(),
            ),
        )
    if record.state == MessageState.ERROR:
        return AsyncErrorFrame(
            data=AsyncErrorData(
                **stamp,
                error=data.error or "",
                error_code=data.error_code or "server_error",
            )
        )
    if record.state == MessageState.AWAITING_APPROVAL and data.pending_tool_call is not None:
        return AsyncApprovalNeededFrame(
            data=ApprovalNeededData(**stamp, pending_tool_call=data.pending_tool_call)
        )
    return None


async def frames_after(conversation_id: int, message_id: int, after_seq: int) -> list[Frame] | None:
    """Every frame of the turn with seq > after_seq, in order (None: no such turn here)."""
    record = await run_db(
        turn_store.stored_turn, conversation_id=conversation_id, message_id=message_id
    )
    if record is None:
        return None
    buffer = get_replay_buffer()
    frames = await buffer.read(message_id, after_seq)
    if record.state == MessageState.IN_PROGRESS:
        return frames
    if frames and frames[-1]["type"] in TERMINAL_FRAME_TYPES:
        return frames
    stored_seq = record.data.last_seq
    buffered_seq = await buffer.last_seq(message_id) or 0
    if record.data.error_code == "interrupted":
        # The process died before writing its last frame: the error takes the next seq.
        seq = max(stored_seq, buffered_seq, after_seq) + 1
    else:
        seq = stored_seq
    ending = frame_from_record(record, seq)
    if ending is not None and seq > after_seq and seq > (frame_seq(frames[-1]) if frames else 0):
        frames.append(frame_to_wire(ending))
    return frames
