"""The threads turn persistence runs on: a bounded pool, not Channels' one database thread.

`database_sync_to_async` runs every call of every consumer on one shared thread, so 200 turns
starting at once queued there behind each other and behind every checkpoint. Turn work (start,
building the agent, checkpoints, endings) runs here instead, on up to OC_TURN_DB_THREADS threads
(default: one less than the connection pool's max size, so these threads never wait for a pooled
connection while Channels' thread holds one). Each call returns its connection to the pool when it
ends, like `database_sync_to_async` does.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import close_old_connections

P = ParamSpec("P")
R = TypeVar("R")

_executor: ThreadPoolExecutor | None = None


def turn_db_threads() -> int:
    if settings.OC_TURN_DB_THREADS > 0:
        return int(settings.OC_TURN_DB_THREADS)
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    max_size = pool.get("max_size", 4) if isinstance(pool, dict) else 4
    return max(1, int(max_size) - 1)


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(turn_db_threads(), thread_name_prefix="oc-turn-db")
    return _executor


def _call(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    close_old_connections()
    try:
        return fn(*args, **kwargs)
    finally:
        close_old_connections()


async def run_db(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run the sync `fn` on the turn database pool; its result."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool(), functools.partial(_call, fn, *args, **kwargs))
