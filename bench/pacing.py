"""The delta schedule shared by the scripted agent and the bare baselines of bench/concurrency.py.

Each delta is its emit time (`time.time()`, six decimals) and a `;`, so the load client can tell
when every delta it receives was emitted; "rate": 0 emits them with no delay (a burst).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator


async def paced(tokens: int, rate: float) -> AsyncIterator[int]:
    """0 … tokens-1, number i due i/rate seconds after the first (pacing does not drift)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i in range(tokens):
        if rate > 0 and i:
            delay = start + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
        yield i


def stamp() -> str:
    """A delta that is its emit time."""
    return f"{time.time():.6f};"


async def stamped_deltas(tokens: int, rate: float) -> AsyncIterator[str]:
    """`tokens` stamped deltas on the schedule of `paced`."""
    async for _ in paced(tokens, rate):
        yield stamp()
