"""STOP for a turn that runs in another server process.

A running turn listens on a Redis pub/sub channel of its own; STOP from any process publishes
there. (Not the channel layer: cancelling a channels-redis `receive` when the turn ends can lose
messages meant for other consumers of the process.) Without Redis there is one process, and the
in-process registry (launch.local_runner) reaches every turn directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from django.conf import settings

from config.websocket.redis_client import get_redis

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
    pubsub = get_redis().pubsub()
    await pubsub.subscribe(control_channel(message_id))
    listener = asyncio.create_task(_listen(pubsub, on_stop))
    try:
        yield
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        with contextlib.suppress(Exception):
            await pubsub.unsubscribe()
            await pubsub.aclose()


async def _listen(pubsub: object, on_stop: Callable[[], None]) -> None:
    """Until cancelled; a lost Redis connection is waited out (redis-py reconnects and
    subscribes again), so a Redis restart never ends the turn's task with an error."""
    from redis.asyncio.client import PubSub
    from redis.exceptions import RedisError

    assert isinstance(pubsub, PubSub)
    while True:
        try:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
        except RedisError:
            logger.warning("turn control channel lost its Redis connection; retrying")
            await asyncio.sleep(0.5)
            continue
        if message is not None and message.get("data") == STOP:
            on_stop()
