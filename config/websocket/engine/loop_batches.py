"""What the turns of this process ask for during one turn of the event loop, handled together.

Under load the loop runs hundreds of turns: their turn starts (start_batches.py), final writes
(finish_batches.py) and frames for the Redis replay stream (replay.py) arrive many to a loop
turn. Each item waits for the end of the loop turn, then all of them go to `handle` at once (one
call to the database threads, or one Redis pipeline, instead of one per item); each item gets
its own outcome. Nothing waits longer than the loop turn it was asked in: with one item this is
a single call, one loop turn later.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")
Handler = Callable[[list[Item]], Awaitable[list[Outcome | Exception]]]


class LoopTurnBatches(Generic[Item, Outcome]):
    def __init__(self, loop: asyncio.AbstractEventLoop, handle: Handler[Item, Outcome]) -> None:
        self.loop = loop
        self._handle = handle
        self._queued: list[tuple[Item, asyncio.Future[Outcome]]] = []
        self._running: set[asyncio.Task[None]] = set()

    async def submit(self, item: Item) -> Outcome:
        """`item`'s outcome once its batch is handled (its exception raised here)."""
        outcome: asyncio.Future[Outcome] = self.loop.create_future()
        if not self._queued:
            self.loop.call_soon(self._flush)
        self._queued.append((item, outcome))
        return await outcome

    def _flush(self) -> None:
        queued, self._queued = self._queued, []
        task = self.loop.create_task(self._run(queued))
        self._running.add(task)  # a task must be referenced until it ends
        task.add_done_callback(self._running.discard)

    async def _run(self, queued: list[tuple[Item, asyncio.Future[Outcome]]]) -> None:
        try:
            outcomes = await self._handle([item for item, _ in queued])
        except asyncio.CancelledError:
            for _, future in queued:  # the loop shuts down: nobody waits for ever
                future.cancel()
            raise
        except Exception as exc:
            outcomes = [exc] * len(queued)
        for (_, future), outcome in zip(queued, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
