"""STOP for a turn that runs in another server process.

A running turn listens on a Redis pub/sub channel of its own; STOP from any process publishes
there. The process listens through its one shared pub/sub connection (subscriptions.py), not a
connection per turn. (Not the channel layer: cancelling a channels-redis `receive` when the turn
ends can lose messages meant for other consumers of the process.) Without Redis there is one
process, and the in-process registry (launch.local_runner) reaches every turn directly.
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


@contextlib.asynccontextmanager
async def stop_requests(message_id: int, on_stop: Callable[[], None]) -> AsyncIterator[None]:
    """Call `on_stop` whenever STOP for this turn is published, while the block runs."""
    if not settings.REDIS_URL:
        yield
        return

    async def handle(data: str) -> None:
        if data == STOP:
            on_stop()

    channel = control_channel(message_id)
    await subscriptions().subscribe(channel, handle)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            await subscriptions().unsubscribe(channel, handle)
