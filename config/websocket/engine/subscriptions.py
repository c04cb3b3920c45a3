"""One Redis pub/sub connection per process (per event loop) for everything the engine listens to:
the frames of conversations that have sockets here, and STOP for turns that run here.

A subscription is confirmed by Redis before `subscribe()` (or `subscribe_pattern()`) returns, so
a publication made after it cannot be missed; a pattern's later subscribers wait for the same
confirmation and send nothing. Handlers run one at a time, in the order Redis delivers the
messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from config.websocket.redis_client import get_redis

logger = logging.getLogger("config.websocket")

Handler = Callable[[str], Awaitable[None]]
PatternHandler = Callable[[str, str], Awaitable[None]]  # (channel, data)
CONFIRM_TIMEOUT = 5.0


class Subscriptions:
    def __init__(self) -> None:
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._handlers: dict[str, set[Handler]] = {}
        self._pattern_handlers: dict[str, set[PatternHandler]] = {}
        self._pattern_ready: dict[str, asyncio.Future[None]] = {}
        self._confirmations: dict[str, list[asyncio.Future[None]]] = {}
        # One command at a time: the first ones, sent concurrently, must share one connection.
        self._commands = asyncio.Lock()

    async def subscribe(self, channel: str, handler: Handler) -> None:
        handlers = self._handlers.setdefault(channel, set())
        first = not handlers
        handlers.add(handler)
        if first:
            await self._confirmed(await self._send("subscribe", channel))

    async def subscribe_pattern(self, pattern: str, handler: PatternHandler) -> None:
        """Call `handler(channel, data)` for every publication on a channel matching the glob
        `pattern`, for as long as the process runs. Only the first call sends a command."""
        self._pattern_handlers.setdefault(pattern, set()).add(handler)
        ready = self._pattern_ready.get(pattern)
        if ready is None:
            ready = self._pattern_ready[pattern] = await self._send("psubscribe", pattern)
        await self._confirmed(ready)

    async def _send(self, command: str, name: str) -> asyncio.Future[None]:
        """Send `command` (subscribe, psubscribe) for `name` on the shared connection, one
        command at a time, with the listener running; the future Redis's confirmation sets."""
        confirmed = asyncio.get_running_loop().create_future()
        self._confirmations.setdefault(name, []).append(confirmed)
        async with self._commands:
            if self._pubsub is None:
                self._pubsub = get_redis().pubsub()
            await getattr(self._pubsub, command)(name)
        if self._listener is None or self._listener.done():
            self._listener = asyncio.create_task(self._listen())
        return confirmed

    @staticmethod
    async def _confirmed(confirmation: asyncio.Future[None]) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(confirmation), CONFIRM_TIMEOUT)

    async def unsubscribe(self, channel: str, handler: Handler) -> None:
        handlers = self._handlers.get(channel)
        if handlers is None:
            return
        handlers.discard(handler)
        if handlers:
            return
        del self._handlers[channel]
        async with self._commands:
            if self._pubsub is not None and channel not in self._handlers:
                with contextlib.suppress(Exception):
                    await self._pubsub.unsubscribe(channel)

    async def _listen(self) -> None:
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("redis subscriptions: read failed; resubscribing")
                await self._reconnect()
                continue
            if message is None:
                if not self._handlers and not self._pattern_handlers:
                    await asyncio.sleep(0.2)
                continue
            channel = str(message.get("channel"))
            kind = message.get("type")
            if kind in ("subscribe", "psubscribe"):
                for waiter in self._confirmations.pop(channel, []):
                    if not waiter.done():
                        waiter.set_result(None)
                continue
            if kind == "pmessage":
                pattern = str(message.get("pattern"))
                for on_match in list(self._pattern_handlers.get(pattern, ())):
                    try:
                        await on_match(channel, str(message["data"]))
                    except Exception:
                        logger.exception("redis subscriptions: handler for %s failed", pattern)
                continue
            if kind != "message":
                continue
            for handler in list(self._handlers.get(channel, ())):
                try:
                    await handler(str(message["data"]))
                except Exception:
                    logger.exception("redis subscriptions: handler for %s failed", channel)

    async def _reconnect(self) -> None:
        await asyncio.sleep(0.5)
        async with self._commands:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
            self._pubsub = get_redis().pubsub()
            if self._handlers:
                with contextlib.suppress(Exception):
                    await self._pubsub.subscribe(*self._handlers)
            if self._pattern_handlers:
                with contextlib.suppress(Exception):
                    await self._pubsub.psubscribe(*self._pattern_handlers)


_by_loop: dict[int, Subscriptions] = {}


def subscriptions() -> Subscriptions:
    """The process's subscriptions on the running loop (only with REDIS_URL)."""
    loop_id = id(asyncio.get_running_loop())
    found = _by_loop.get(loop_id)
    if found is None:
        found = _by_loop[loop_id] = Subscriptions()
    return found
