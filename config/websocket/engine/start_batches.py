"""Turn starts that arrive in one turn of the event loop are stored together.

At N=200 every socket asks at once. One statement per start, on a few database threads, queued
the starts: each one waited for a thread, then for PostgreSQL and the GIL, ~3 ms, so the 200th
waited ~150 ms before its statement ran. Here the starts asked during one turn of the loop are
grouped by the statement's shape, one per conversation, and each group is stored in one call:
one statement for all of them (turn_store.start_turns, whose refusals are decided as they are
alone), then each turn's agent is built, as a single start's call does. A group of one goes the
single way (its pinned queries unchanged). A second question to the same conversation in the
same loop turn goes in a call of its own: it races the group as two sockets' starts always
raced, and the conversation's lock decides which one runs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opencontractserver.conversations import turn_store
from opencontractserver.conversations.ownership import process_owner_key

from .db_pool import run_start_db
from .per_loop import PerLoop

if TYPE_CHECKING:
    from .live_chat import LiveChat, StoredStart


@dataclass
class _Start:
    chat: LiveChat
    request: turn_store.TurnRequest
    stored: asyncio.Future[StoredStart]


def _store_group(starts: list[_Start]) -> list[StoredStart]:
    """One group's starts in one statement, then each turn's conversation and agent (sync)."""
    if len(starts) == 1:
        (only,) = starts
        return [only.chat.store_start(only.request)]
    results = turn_store.start_turns(
        [start.request for start in starts], owner_key=process_owner_key()
    )
    return [start.chat.after_start(result) for start, result in zip(starts, results, strict=True)]


class StartBatches:
    """This loop's starts waiting for the end of the loop turn."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._queued: list[_Start] = []
        self._groups: set[asyncio.Task[None]] = set()

    async def start(self, chat: LiveChat, request: turn_store.TurnRequest) -> StoredStart:
        """Store the start with the others asked in this loop turn; what was stored."""
        stored: asyncio.Future[StoredStart] = self.loop.create_future()
        if not self._queued:
            self.loop.call_soon(self._flush)
        self._queued.append(_Start(chat, request, stored))
        return await stored

    def _flush(self) -> None:
        queued, self._queued = self._queued, []
        for group in _groups(queued):
            task = self.loop.create_task(self._store(group))
            self._groups.add(task)  # a task must be referenced until it ends
            task.add_done_callback(self._groups.discard)

    @staticmethod
    async def _store(group: list[_Start]) -> None:
        try:
            results = await run_start_db(_store_group, group)
        except Exception as exc:
            for start in group:
                if not start.stored.done():
                    start.stored.set_exception(exc)
            return
        for start, result in zip(group, results, strict=True):
            if not start.stored.done():
                start.stored.set_result(result)


def _groups(starts: list[_Start]) -> list[list[_Start]]:
    """The starts by statement shape, at most one per conversation in a group (a repeated
    conversation's later starts each go in a group of their own)."""
    groups: dict[tuple[bool, bool, bool], list[_Start]] = {}
    seen: set[int] = set()
    alone: list[list[_Start]] = []
    for start in starts:
        if start.request.conversation_id in seen:
            alone.append([start])
            continue
        seen.add(start.request.conversation_id)
        shape = start.request.statement_request().shape
        groups.setdefault(shape, []).append(start)
    return [*groups.values(), *alone]


_batches = PerLoop(StartBatches)


def start_batches() -> StartBatches:
    """The running loop's batches."""
    return _batches.get()
