"""One asyncio Redis client per event loop (redis-py's asyncio connections belong to a loop).

Commands are retried on a connection error (config/redis_retry.py)."""

from __future__ import annotations

import asyncio

from django.conf import settings
from redis.asyncio import Redis

from config.redis_retry import retry_options

_clients: dict[int, Redis] = {}


def get_redis() -> Redis:
    """The client for settings.REDIS_URL on the running loop (only call when REDIS_URL is set)."""
    loop_id = id(asyncio.get_running_loop())
    client = _clients.get(loop_id)
    if client is None:
        client = Redis.from_url(settings.REDIS_URL, decode_responses=True, **retry_options())
        _clients[loop_id] = client
    return client
