"""Channels' one database thread held busy, to show that work does not wait for it."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async


@contextlib.asynccontextmanager
async def database_thread_blocked(seconds: float = 20) -> AsyncIterator[threading.Event]:
    """Channels' one database thread is busy (for at most `seconds`) inside the block; the
    event it yields is set when the block ends and releases it."""
    entered, release = threading.Event(), threading.Event()

    def occupy_the_database_thread() -> None:
        entered.set()
        release.wait(timeout=seconds)

    busy = asyncio.ensure_future(sync_to_async(occupy_the_database_thread)())
    try:
        for _ in range(200):
            if entered.is_set():
                break
            await asyncio.sleep(0.01)
        assert entered.is_set()
        yield release
    finally:
        release.set()
        await busy
