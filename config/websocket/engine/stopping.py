"""STOP for a persisted turn, wherever it is: paused, running here, running elsewhere, or dead
(settled by the turn store's read, conversations/turn_store.py)."""

from __future__ import annotations

from config.websocket.protocol import frame_to_wire
from config.websocket.session_log import SessionLog
from opencontractserver.conversations import turn_store
from opencontractserver.conversations.chat_refusal import ChatRefusal
from opencontractserver.conversations.models import MessageState
from opencontractserver.permissions import AnyUser

from . import launch
from .control import request_stop
from .db_pool import run_db
from .fanout import publish_turn_frame
from .replay import get_replay_buffer
from .resume import frame_from_record


async def stop_turn(
    *, user: AnyUser, conversation_id: int, message_id: int, log: SessionLog
) -> ChatRefusal | None:
    """Cancel the turn (None), or say why not. The turn's ending frame reaches every socket."""
    record = await run_db(
        turn_store.stored_turn, conversation_id=conversation_id, message_id=message_id
    )
    if record is None:
        return ChatRefusal("message_not_found", f"No message {message_id} in this chat.")
    if not await run_db(turn_store.may_write_conversation, user, conversation_id):
        return ChatRefusal("forbidden", "Only people who may write here can stop a turn.")
    if record.settled_now:
        log.info(message_id, "stop for a turn whose process died: settled")
        buffered = await get_replay_buffer().last_seq(message_id) or 0
        await _publish_stored_ending(conversation_id, message_id, buffered + 1)
        return None
    if record.state == MessageState.AWAITING_APPROVAL:
        claimed = await run_db(
            turn_store.claim_paused_turn,
            user=user,
            conversation_id=conversation_id,
            message_id=message_id,
            decision="cancelled",
            owner_key=None,
        )
        if isinstance(claimed, ChatRefusal):
            return claimed
        log.info(message_id, "paused turn cancelled")
        # claim_paused_turn reserved the next seq for the ASYNC_FINISH announcing it.
        await _publish_stored_ending(conversation_id, message_id, claimed.last_seq)
        return None
    if record.state != MessageState.IN_PROGRESS:
        return ChatRefusal("not_running", f"Message {message_id} is not running.")
    runner = launch.local_runner(message_id)
    if runner is not None:
        runner.stop()
    else:
        log.info(message_id, "stop forwarded to the owning process")
        await request_stop(message_id)
    return None


async def _publish_stored_ending(conversation_id: int, message_id: int, seq: int) -> None:
    record = await run_db(
        turn_store.stored_turn, conversation_id=conversation_id, message_id=message_id
    )
    ending = frame_from_record(record, seq) if record is not None else None
    if ending is not None:
        await publish_turn_frame(conversation_id, message_id, frame_to_wire(ending))
        await get_replay_buffer().finish(message_id)
