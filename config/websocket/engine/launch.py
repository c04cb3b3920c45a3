"""Starting turn tasks, and the registry of turns running in this process.

A persisted turn's task registers itself under its message id; STOP that another process
publishes reaches it through that registry (control.py: one subscription per process). The task
belongs to the process, not to the socket that started it: closing that socket does not cancel
it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from opencontractserver.llms.agents.titles import title_new_conversation

from .control import listen_for_stops
from .replay import get_replay_buffer
from .runner import LiveTurnRunner

_running: dict[int, LiveTurnRunner] = {}
_tasks: dict[asyncio.Task[None], LiveTurnRunner] = {}


def local_runner(message_id: int) -> LiveTurnRunner | None:
    """The runner of a persisted turn if it runs in this process."""
    return _running.get(message_id)


async def listen_for_remote_stops() -> None:
    """STOP published by another process reaches the turns that run here (control.py)."""
    await listen_for_stops(_stop_if_running_here)


def _stop_if_running_here(message_id: int) -> None:
    runner = _running.get(message_id)
    if runner is not None:
        runner.stop()


def running_tasks() -> set[asyncio.Task[None]]:
    return set(_tasks)


def running_turns() -> dict[asyncio.Task[None], LiveTurnRunner]:
    """Every turn task of this process (persisted or anonymous) with its runner."""
    return dict(_tasks)


def launch(
    runner: LiveTurnRunner, work: Callable[[LiveTurnRunner], Awaitable[None]]
) -> asyncio.Task[None]:
    """Run `work(runner)` as its own task (never inside a consumer's receive)."""
    task = asyncio.create_task(_supervise(runner, work))
    _tasks[task] = runner
    task.add_done_callback(_forget)
    return task


def _forget(task: asyncio.Task[None]) -> None:
    _tasks.pop(task, None)


async def _supervise(
    runner: LiveTurnRunner, work: Callable[[LiveTurnRunner], Awaitable[None]]
) -> None:
    message_id = runner.target.message_id
    if not runner.target.persist:
        await _run(runner, work)
        return
    _running[message_id] = runner
    try:
        await listen_for_remote_stops()
        await _run(runner, work)
    finally:
        _running.pop(message_id, None)
        if not runner.paused:
            with contextlib.suppress(Exception):
                await get_replay_buffer().finish(message_id)
    if runner.completed and runner.target.conversation_id is not None:
        await _title_conversation(runner, runner.target.conversation_id)


async def _title_conversation(runner: LiveTurnRunner, conversation_id: int) -> None:
    """After an answered turn (its final frame sent, its bookkeeping done), give a still-untitled
    conversation a title (first turn only), in the database threads' background lane."""
    try:
        await title_new_conversation(conversation_id)
    except Exception:
        runner.log.exception(runner.target.message_id, "could not title the conversation")


async def _run(runner: LiveTurnRunner, work: Callable[[LiveTurnRunner], Awaitable[None]]) -> None:
    try:
        await work(runner)
    except Exception:
        runner.log.exception(runner.target.message_id, "turn task failed")
        await runner.fail_after_server_error()
