"""Starting turn tasks, and the registry of turns running in this process.

A persisted turn's task registers itself under its message id and listens on the turn's control
group, so a STOP from any socket (in any process) reaches it. The task belongs to the process,
not to the socket that started it: closing that socket does not cancel it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from .fanout import STOP_EVENT, channel_layer, turn_control_group
from .replay import get_replay_buffer
from .runner import TurnRunner

logger = logging.getLogger(__name__)

_running: dict[int, TurnRunner] = {}
_tasks: set[asyncio.Task[None]] = set()


def local_runner(message_id: int) -> TurnRunner | None:
    """The runner of a persisted turn if it runs in this process."""
    return _running.get(message_id)


def running_tasks() -> set[asyncio.Task[None]]:
    return set(_tasks)


def launch(runner: TurnRunner, work: Callable[[TurnRunner], Awaitable[None]]) -> asyncio.Task[None]:
    """Run `work(runner)` as its own task (never inside a consumer's receive)."""
    task = asyncio.create_task(_supervise(runner, work))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return task


async def _supervise(runner: TurnRunner, work: Callable[[TurnRunner], Awaitable[None]]) -> None:
    message_id = runner.target.message_id
    persisted = runner.target.persist
    listener: asyncio.Task[None] | None = None
    channel = ""
    if persisted:
        _running[message_id] = runner
        layer = channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(turn_control_group(message_id), channel)
        listener = asyncio.create_task(_listen_for_stop(runner, channel))
    try:
        await work(runner)
    except Exception:
        runner.log.exception(message_id, "turn task failed")
    finally:
        if persisted:
            _running.pop(message_id, None)
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
            with contextlib.suppress(Exception):
                await channel_layer().group_discard(turn_control_group(message_id), channel)
                await get_replay_buffer().finish(message_id)


async def _listen_for_stop(runner: TurnRunner, channel: str) -> None:
    layer = channel_layer()
    while True:
        message = await layer.receive(channel)
        if message.get("type") == STOP_EVENT:
            runner.stop()
