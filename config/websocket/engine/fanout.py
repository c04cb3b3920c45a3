"""Fan-out of turn frames to every socket of a conversation, in this process and in others.

In this process the sockets following a conversation are known (`follow`): a frame is encoded
once and handed to each of them directly, so its cost depends on the sockets of *its*
conversation only — never on how many other sockets the process holds (no channel-layer scan).
Across processes (REDIS_URL) each frame is published once per conversation on
`oc:conversation:<id>:frames`, in the same Redis round trip that appends it to the turn's replay
stream; a process subscribes to that channel while it has sockets on the conversation and skips
its own publications (it has delivered them already).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Protocol

from autobahn.exception import Disconnected
from django.conf import settings

from .frame_limits import fitted_wire
from .replay import Frame, get_replay_buffer
from .subscriptions import subscriptions

logger = logging.getLogger("config.websocket")

# Tells this process's publications apart from other processes'.
PROCESS_TAG = uuid.uuid4().hex


class LiveFollower(Protocol):
    def on_live_frame(self, frame: Frame, text: str | None = None) -> Awaitable[None]: ...


def conversation_channel(conversation_id: int) -> str:
    return f"oc:conversation:{conversation_id}:frames"


# Per conversation, its local followers (a dict as an insertion-ordered set).
_followers: dict[int, dict[LiveFollower, None]] = {}
_remote_handlers: dict[int, Callable[[str], Awaitable[None]]] = {}


async def follow(conversation_id: int, follower: LiveFollower) -> None:
    """Deliver this conversation's frames to `follower` from now on (all processes' frames)."""
    followers = _followers.setdefault(conversation_id, {})
    first = not followers
    followers[follower] = None
    if first and settings.REDIS_URL:
        handler = _remote_handlers.setdefault(conversation_id, _remote_handler(conversation_id))
        await subscriptions().subscribe(conversation_channel(conversation_id), handler)


async def unfollow(conversation_id: int, follower: LiveFollower) -> None:
    followers = _followers.get(conversation_id)
    if followers is None:
        return
    followers.pop(follower, None)
    if followers:
        return
    del _followers[conversation_id]
    handler = _remote_handlers.pop(conversation_id, None)
    if settings.REDIS_URL and handler is not None:
        await subscriptions().unsubscribe(conversation_channel(conversation_id), handler)


def local_followers(conversation_id: int) -> int:
    """How many sockets of this process follow the conversation."""
    return len(_followers.get(conversation_id, ()))


async def publish_turn_frame(conversation_id: int, message_id: int, frame: Frame) -> None:
    """Store the frame for replay first, then send it live (this order makes resume gap-free).
    The frame is fitted to the frame limit once, here, before its one encoding."""
    frame, text = fitted_wire(frame)
    announce = None
    if settings.REDIS_URL:
        announce = (conversation_channel(conversation_id), f"{PROCESS_TAG}\n{text}")
    await get_replay_buffer().append(message_id, frame, text, announce=announce)
    await _deliver(conversation_id, frame, text)


def _remote_handler(conversation_id: int) -> Callable[[str], Awaitable[None]]:
    async def on_publication(payload: str) -> None:
        origin, _, text = payload.partition("\n")
        if origin != PROCESS_TAG:
            await _deliver(conversation_id, json.loads(text), text)

    return on_publication


async def _deliver(conversation_id: int, frame: Frame, text: str) -> None:
    followers = _followers.get(conversation_id)
    if not followers:
        return
    for follower in list(followers):
        try:
            await follower.on_live_frame(frame, text)
        except Disconnected:
            # The socket closed before its disconnect unfollowed it: it simply misses the frame.
            logger.debug("conversation %s: a follower's socket closed mid-send", conversation_id)
        except Exception:
            # One broken follower never fails the turn or the conversation's other sockets.
            logger.exception("conversation %s: delivering a frame to a follower", conversation_id)
