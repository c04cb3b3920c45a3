"""How every Redis client of the server retries: a command on a dead connection (a Redis restart
leaves every pooled connection dead) reconnects and runs again, with a short backoff, instead of
failing its request or closing its socket with 1011. Used by the channel layer's pools
(settings) and by config/websocket/redis_client.py."""

from __future__ import annotations

from typing import Any

from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError


def retry_options() -> dict[str, Any]:
    """Keyword arguments for a redis-py asyncio client or connection pool."""
    return {
        "retry": Retry(ExponentialBackoff(cap=1.0, base=0.05), retries=6),
        "retry_on_error": [RedisConnectionError],
    }
