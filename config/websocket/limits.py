"""Per-user (or per-address) rate limits: fixed one-minute windows, shared through Redis when
REDIS_URL is set, per process otherwise."""

from __future__ import annotations

import math
import time

from django.conf import settings

from config.websocket.redis_client import get_redis

WINDOW_SECONDS = 60


class _InProcessCounter:
    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def incr(self, key: str) -> int:
        if len(self._counts) > 10_000:
            self._counts.clear()
        self._counts[key] = self._counts.get(key, 0) + 1
        return self._counts[key]


_counter = _InProcessCounter()


async def hit(kind: str, who: str, limit: int) -> int | None:
    """Count one event; return None if allowed, else seconds until the window resets.
    A limit of 0 or less turns the check off."""
    if limit <= 0:
        return None
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"oc:rl:{kind}:{who}:{window}"
    if settings.REDIS_URL:
        redis = get_redis()
        count = int(await redis.incr(key))
        if count == 1:
            await redis.expire(key, WINDOW_SECONDS * 2)
    else:
        count = _counter.incr(key)
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
