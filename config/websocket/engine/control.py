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

import functools
import logging
from collections.abc import Awaitable, Callable

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
StopLocal = Callable[[int], None]


async def listen_for_stops(stop_local: StopLocal) -> None:
    """Call `stop_local(message_id)` whenever another process publishes STOP for a turn (with
    REDIS_URL; only the first call sends the subscription). launch.py passes the stop of the
    turns it runs, and a signed-in socket's handshake calls it too, so the first turns do not
    wait for it: at their start Redis's confirmation queued behind every frame the other
    processes had published meanwhile, on the same connection (seconds, at N=1 000)."""
    if settings.REDIS_URL:
        await subscriptions().subscribe_pattern(CONTROL_PATTERN, _handler(stop_local))


@functools.cache
def _handler(stop_local: StopLocal) -> Callable[[str, str], Awaitable[None]]:
    """The one subscription handler for `stop_local` (the same object at every call)."""

    async def on_control(channel: str, data: str) -> None:
        _, _, message_id = channel.rpartition(":")
        if data == STOP and message_id.isdigit():
            stop_local(int(message_id))

    return on_control
