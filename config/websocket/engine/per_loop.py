"""One object per running event loop: the engine's batches hold futures and tasks of one loop
(and tests run one loop after another, whose ids may repeat once the earlier one is gone)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerLoop(Generic[T]):
    """`get()`: the running loop's object, made by `make(loop)` on first use in that loop."""

    def __init__(self, make: Callable[[asyncio.AbstractEventLoop], T]) -> None:
        self._make = make
        self._made: dict[int, tuple[asyncio.AbstractEventLoop, T]] = {}

    def get(self) -> T:
        loop = asyncio.get_running_loop()
        found = self._made.get(id(loop))
        if found is None or found[0] is not loop:
            found = self._made[id(loop)] = (loop, self._make(loop))
        return found[1]
