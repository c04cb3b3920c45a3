"""STOP for a turn that runs in another server process.

STOP from any process publishes on the turn's own Redis channel (`oc:turn-control:<id>`). Each
process listens to all of them with one pattern subscription, made once, through its one shared
pub/sub connection (subscriptions.py), and stops the turn if it runs here: starting a turn sends
nothing to Redis (a subscription per turn was a round trip and a confirmation that every start
waited for, one at a time: at 500 starts, seconds before the last one streamed). (Not the
channel layer: cancelling a channels-redis `receive` when the turn ends can lose messages meant
for other consumers of the process.) Without Redis there is one process, and the in-process
registry (launch.local_runner) reaches every turn directly.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from django.conf import settings

from config.websocket.redis_client import get_redis

from .subscriptions import subscriptions

STOP = "stop"
logger = logging.getLogger(__name__)


def control_channel(message_id: int) -> str:
    return f"oc:turn-control:{message_id}"


async def request_stop(message_id: int) -> None:
    """Ask whichever process runs the turn to cancel it."""
    if settings.REDIS_URL:
        await get_redis().publish(control_channel(message_id), STOP)


CONTROL_PATTERN = "oc:turn-control:*"  # every control_channel
# The turns of this process that a STOP published by another process can reach.
_on_stop: dict[int, Callable[[], None]] = {}


async def listen_for_stops() -> None:
    """Make sure this process hears STOP published by others (with REDIS_URL; only the first
    call sends the subscription). A signed-in socket's handshake calls it, so the first turns
    do not wait for it: at their start Redis's confirmation queued behind every frame the
    other processes had published meanwhile, on the same connection (seconds, at N=1 000)."""
    if settings.REDIS_URL:
        await subscriptions().subscribe_pattern(CONTROL_PATTERN, _on_control)


@contextlib.asynccontextmanager
async def stop_requests(message_id: int, on_stop: Callable[[], None]) -> AsyncIterator[None]:
    """Call `on_stop` whenever STOP for this turn is published, while the block runs."""
    if not settings.REDIS_URL:
        yield
        return
    await listen_for_stops()
    _on_stop[message_id] = on_stop
    try:
        yield
    finally:
        if _on_stop.get(message_id) is on_stop:
            del _on_stop[message_id]


async def _on_control(channel: str, data: str) -> None:
    """A publication on some turn's control channel: STOP it if it runs here."""
    _, _, message_id = channel.rpartition(":")
    on_stop = _on_stop.get(int(message_id)) if message_id.isdigit() else None
    if data == STOP and on_stop is not None:
        on_stop()
