"""One asyncio Redis client per event loop (redis-py's asyncio connections belong to a loop).

Commands are retried on a connection error with a short backoff (a Redis restart leaves every
pooled connection dead: without a retry, the first command on each one failed its request)."""

from __future__ import annotations

import asyncio

from django.conf import settings
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

_clients: dict[int, Redis] = {}


def get_redis() -> Redis:
    """The client for settings.REDIS_URL on the running loop (only call when REDIS_URL is set)."""
    loop_id = id(asyncio.get_running_loop())
    client = _clients.get(loop_id)
    if client is None:
        client = Redis.from_url(
            settings.REDIS_URL,
            decode_responses=True,
            retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=6),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
        )
        _clients[loop_id] = client
    return client
