"""Fan-out of turn frames to every socket of a conversation: the channel-layer group of the
conversation reaches every tab, device and, through channels-redis, every server process."""

from __future__ import annotations

from channels.layers import BaseChannelLayer, get_channel_layer

from .replay import Frame, get_replay_buffer

FRAME_EVENT = "turn.frame"


def conversation_group(conversation_id: int) -> str:
    return f"oc.conversation.{conversation_id}"


def channel_layer() -> BaseChannelLayer:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("CHANNEL_LAYERS is not configured")
    return layer


async def publish_turn_frame(conversation_id: int, message_id: int, frame: Frame) -> None:
    """Store the frame for replay first, then send it live (this order makes resume gap-free)."""
    await get_replay_buffer().append(message_id, frame)
    await channel_layer().group_send(
        conversation_group(conversation_id), {"type": FRAME_EVENT, "frame": frame}
    )
