"""Checkpoints of a turn's text, written beside the stream so the next frame never waits for one.

At most one write is in flight per turn. A checkpoint requested while one is in flight replaces
any still waiting, so the next write is always of the latest text. `settle()` waits for the write
in flight and drops a waiting one (and, through `withdraw`, one whose write has not started:
checkpoint_batches.py gathers them): the turn's final write (which saves the whole text) comes
after every checkpoint. A failed write is raised at the next `submit()` or at `settle()`, so the
turn still ends as a server error, as when it waited for each write.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class Checkpoints:
    def __init__(
        self,
        write: Callable[[str], Awaitable[None]],
        withdraw: Callable[[], None] = lambda: None,
    ) -> None:
        """`write` saves a text; `withdraw` makes a `write` that has not started return."""
        self._write = write
        self._withdraw = withdraw
        self._waiting: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._error: BaseException | None = None

    @property
    def in_flight(self) -> bool:
        return self._task is not None and not self._task.done()

    def submit(self, content: str) -> None:
        """Save `content` as soon as the write in flight (if any) is done."""
        self._raise_failure()
        self._waiting = content
        if not self.in_flight:
            self._task = asyncio.create_task(self._run())

    async def settle(self) -> None:
        """No checkpoint write runs or waits after this returns (raises a failed one)."""
        self._waiting = None
        task = self._task
        if task is not None:
            if not task.done():
                self._withdraw()
            await asyncio.shield(task)
        self._raise_failure()

    async def _run(self) -> None:
        while self._waiting is not None:
            content, self._waiting = self._waiting, None
            try:
                await self._write(content)
            except Exception as exc:
                self._error = exc
                self._waiting = None
                return

    def _raise_failure(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            raise error
