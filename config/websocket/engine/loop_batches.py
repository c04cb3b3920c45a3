"""What the turns of this process ask for during one turn of the event loop, handled together.

Under load the loop runs hundreds of turns: their turn starts (start_batches.py), final writes
(finish_batches.py) and frames for the Redis replay stream (replay.py) arrive many to a loop
turn. Each item waits for the end of the loop turn, then all of them go to `handle` at once (one
call to the database threads, or one Redis pipeline, instead of one per item); each item gets
its own outcome. Nothing waits longer than the loop turn it was asked in: with one item this is
a single call, one loop turn later. Work that can wait (checkpoints, checkpoint_batches.py) is
gathered for `gather_seconds()` instead, and an item still gathering can be withdrawn.

With `one_at_a_time`, items asked while a batch is being handled gather until it is done, then
go as the next batch (as a database's group commit does): at N=200 the starts arrived over ~40 ms,
five loop turns of them went to the database threads as five batches side by side, and each took
60-125 ms contending for the GIL and PostgreSQL, where one batch of 100 alone took 32 ms.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")
Handler = Callable[[list[Item]], Awaitable[list[Outcome | Exception]]]


def together_else_alone(
    items: list[Item], together: Callable[[list[Item]], None], alone: Callable[[Item], None]
) -> list[Exception | None]:
    """Write `items` with `together` (sync); if that fails, each with `alone`, so a failure is
    only the failing item's. One item goes `alone` at once (its own statement)."""
    if len(items) > 1:
        try:
            together(items)
        except Exception:
            pass  # each on its own below
        else:
            return [None] * len(items)
    outcomes: list[Exception | None] = []
    for item in items:
        try:
            alone(item)
        except Exception as exc:
            outcomes.append(exc)
        else:
            outcomes.append(None)
    return outcomes


class LoopTurnBatches(Generic[Item, Outcome]):
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        handle: Handler[Item, Outcome],
        gather_seconds: Callable[[], float] | None = None,
        one_at_a_time: bool = False,
    ) -> None:
        self.loop = loop
        self._handle = handle
        self._gather_seconds = gather_seconds
        self._one_at_a_time = one_at_a_time
        self._flush_timer: asyncio.Handle | None = None
        self._queued: list[tuple[Item, asyncio.Future[Outcome]]] = []
        self._running: set[asyncio.Task[None]] = set()

    async def submit(self, item: Item) -> Outcome:
        """`item`'s outcome once its batch is handled (its exception raised here)."""
        outcome: asyncio.Future[Outcome] = self.loop.create_future()
        self._queued.append((item, outcome))
        self._schedule_flush()
        return await outcome

    def _schedule_flush(self) -> None:
        if self._flush_timer is None and not (self._one_at_a_time and self._running):
            gather = self._gather_seconds() if self._gather_seconds else 0.0
            self._flush_timer = (
                self.loop.call_later(gather, self._flush)
                if gather > 0
                else self.loop.call_soon(self._flush)
            )

    def withdraw(self, matches: Callable[[Item], bool], outcome: Outcome) -> None:
        """Items that `matches` and are not handed to `handle` yet are answered `outcome` and
        left out of their batch."""
        kept = []
        for item, future in self._queued:
            if not matches(item):
                kept.append((item, future))
            elif not future.done():
                future.set_result(outcome)
        self._queued = kept

    def _flush(self) -> None:
        self._flush_timer = None
        queued, self._queued = self._queued, []
        if not queued:
            return
        task = self.loop.create_task(self._run(queued))
        self._running.add(task)  # a task must be referenced until it ends
        task.add_done_callback(self._batch_done)

    def _batch_done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._queued and not self.loop.is_closed():
            self._schedule_flush()  # what gathered meanwhile (one_at_a_time)

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
