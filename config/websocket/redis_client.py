"""One asyncio Redis client per event loop (redis-py's asyncio connections belong to a loop).

Its connections come from a *blocking* pool of OC_REDIS_MAX_CONNECTIONS: with hundreds of turns
streaming at once, redis-py's default pool (100 connections, then MaxConnectionsError) failed
turns; now a command waits for a free connection instead (at most 20 s). Commands are retried on
a connection error (config/redis_retry.py).
"""

from __future__ import annotations

import asyncio

from django.conf import settings
from redis.asyncio import BlockingConnectionPool, Redis

from config.redis_retry import retry_options

_clients: dict[int, Redis] = {}


def get_redis() -> Redis:
    """The client for settings.REDIS_URL on the running loop (only call when REDIS_URL is set)."""
    loop_id = id(asyncio.get_running_loop())
    client = _clients.get(loop_id)
    if client is None:
        pool = BlockingConnectionPool.from_url(
            settings.REDIS_URL,
            decode_responses=True,
            max_connections=settings.OC_REDIS_MAX_CONNECTIONS,
            timeout=20,
            **retry_options(),
        )
        client = Redis.from_pool(pool)
        _clients[loop_id] = client
    return client
