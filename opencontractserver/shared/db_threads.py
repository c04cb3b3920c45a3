"""Database work off the event loop: one bounded pool of threads, shared in priority order.

Channels' `database_sync_to_async` runs every call of every consumer on one shared thread, so
under load each piece of work queues behind all the others (500 turn starts, then 500 titles,
then the next round's handshakes, past daphne's 5 s handshake timeout). Database work runs here
instead, in five lanes served by the same threads:

- "connect": a handshake's lookups (token user, subject, conversation, snapshot), first;
- "turn": the work of a turn that has started (building its agent, the agent's reads, the
  final write), ahead of queued starts: otherwise a started turn's next call waits behind every
  start queued meanwhile (at N=200, every first token waited for the 200th start);
- "start": a new turn's start;
- "checkpoint": a running turn's checkpoints, after queued starts and endings: a late start
  holds back a whole answer's first token, a late checkpoint holds back nothing (it runs
  beside the stream, and the final write waits for it);
- "background": work nobody waits for (a new conversation's title), only when nothing else is
  queued, and never more than one call at a time, so it holds at most one thread.

A call that is running is never interrupted; a queued one is taken in lane order, then in the
order it came. There are OC_TURN_DB_THREADS threads (default: 4, and never more than one less
than the connection pool's max size, so these threads never wait for a pooled connection while
Channels' thread holds one). More threads do not run more Python (they share the GIL): each one
that is runnable makes the event loop wait for the GIL after every socket send, and at N=200
three or four threads streamed with less delay than nine (docs/performance.md, "Fourth pass");
four keep PostgreSQL busy while some of them wait on it.

A thread gives its connection back to the pool after a call when no other call waits
(`database_sync_to_async` does after every call); while calls wait (under load), the next call
goes on with the same connection instead of taking one from the pool again (the pool checks
each connection it hands out with a round trip to PostgreSQL: bench/turn_costs.py,
"checkout"). A connection a call left with an error, or inside a transaction, is never handed
on.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from queue import Empty, PriorityQueue
from typing import Any, Literal, ParamSpec, TypeVar

from django.conf import settings
from django.db import close_old_connections, connections

P = ParamSpec("P")
R = TypeVar("R")

Lane = Literal["connect", "turn", "start", "checkpoint", "background"]
_PRIORITY: dict[Lane, int] = {
    "connect": 0,
    "turn": 1,
    "start": 2,
    "checkpoint": 3,
    "background": 4,
}
# A connection kept for queued calls that went to other threads goes back to the pool after
# this long idle (so one is never left idle to be found dead after a PostgreSQL restart).
KEEP_IDLE_CONNECTION_SECONDS = 0.1


DEFAULT_THREADS = 4


def db_threads() -> int:
    """How many threads serve the lanes."""
    if settings.OC_TURN_DB_THREADS > 0:
        return int(settings.OC_TURN_DB_THREADS)
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    max_size = pool.get("max_size", DEFAULT_THREADS) if isinstance(pool, dict) else DEFAULT_THREADS
    return max(1, min(DEFAULT_THREADS, int(max_size) - 1))


@dataclass(order=True)
class _Job:
    priority: int
    order: int
    call: Callable[[], Any] = field(compare=False)
    future: Future[Any] = field(compare=False)


class LanePool:
    """Threads taking queued calls in lane order; at most one "background" call runs at once."""

    def __init__(self, threads: int, name: str = "oc-db") -> None:
        self._queue: PriorityQueue[_Job] = PriorityQueue()
        self._order = itertools.count()
        self._background_lock = threading.Lock()
        self._background: list[_Job] = []  # waiting for the one background slot
        self._background_running = False
        for index in range(threads):
            threading.Thread(target=self._work, name=f"{name}-{index}", daemon=True).start()

    def submit(self, lane: Lane, call: Callable[[], R]) -> Future[R]:
        future: Future[R] = Future()
        job = _Job(_PRIORITY[lane], next(self._order), call, future)
        if lane == "background":
            with self._background_lock:
                if self._background_running:
                    self._background.append(job)
                    return future
                self._background_running = True
        self._queue.put(job)
        return future

    def _work(self) -> None:
        keep = False  # calls were queued when the last one ended: go on with its connection
        while True:
            try:
                job = self._queue.get(timeout=KEEP_IDLE_CONNECTION_SECONDS if keep else None)
            except Empty:
                close_old_connections()  # the queued calls went to other threads
                job = self._queue.get()
            if job.future.set_running_or_notify_cancel():
                try:
                    job.future.set_result(job.call())
                except BaseException as exc:
                    job.future.set_exception(exc)
            if job.priority == _PRIORITY["background"]:
                self._next_background()
            keep = not self._queue.empty()
            if not keep:
                close_old_connections()  # nothing waits: the connection goes back to the pool

    def _next_background(self) -> None:
        with self._background_lock:
            if self._background:
                self._queue.put(self._background.pop(0))
            else:
                self._background_running = False


_pool: LanePool | None = None
_pool_lock = threading.Lock()


def lane_pool() -> LanePool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = LanePool(db_threads())
        return _pool


def _handed_on_connections_checked() -> None:
    """Close (give back to the pool) a connection the call before left unfit to go on with."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        if conn.errors_occurred or conn.in_atomic_block or not conn.get_autocommit():
            conn.close()


def run_call(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run `fn` as a call on these threads does: on the connection the call before left, if it
    is fit to go on with, else on one from the pool."""
    _handed_on_connections_checked()
    try:
        return fn(*args, **kwargs)
    finally:
        _handed_on_connections_checked()


async def run_in_lane(lane: Lane, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run the sync `fn` on the database threads in `lane`; its result."""
    call = functools.partial(run_call, fn, *args, **kwargs)
    return await asyncio.wrap_future(lane_pool().submit(lane, call))


async def run_for_turn(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run the sync `fn` in the turn lane: a turn's own database work, its agent's tools and
    history included; its result."""
    return await run_in_lane("turn", fn, *args, **kwargs)
