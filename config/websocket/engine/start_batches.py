"""Turn starts that arrive in one turn of the event loop are stored together.

At N=200 every socket asks at once. One statement per start, on a few database threads, queued the
starts: each one waited for a thread, then for PostgreSQL and the GIL, ~3 ms, so the 200th waited
~150 ms before its statement ran. Here the starts asked during one turn of the loop, or while the
batch before them is stored (loop_batches.py, one batch at a time), are grouped by the statement's
shape, one per conversation, and each group is stored in one call: one statement for all of them
(turn_store.start_turns, whose refusals are decided as they are alone, and a group of one takes the
single statement: its pinned queries are unchanged), then each turn's agent is built, as a single
start's call does. A second question to the same conversation in the same loop turn goes in a call
of its own: it races the group as two sockets' starts always raced, and the conversation's lock
decides which one runs.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from opencontractserver.conversations import turn_store
from opencontractserver.conversations.ownership import process_owner_key

from .db_pool import run_start_db
from .loop_batches import LoopTurnBatches
from .per_loop import PerLoop

if TYPE_CHECKING:
    from .live_chat import LiveChat, StoredStart

Start = tuple["LiveChat", turn_store.TurnRequest]


def _store_group(starts: list[Start]) -> list[StoredStart]:
    """One group's starts in one statement, then each turn's conversation and agent (sync)."""
    results = turn_store.start_turns(
        [request for _, request in starts], owner_key=process_owner_key()
    )
    return [chat.after_start(result) for (chat, _), result in zip(starts, results, strict=True)]


def _groups(starts: list[Start]) -> list[list[int]]:
    """The starts' positions by statement shape, at most one per conversation in a group (a
    repeated conversation's later starts each go in a group of their own)."""
    groups: dict[tuple[bool, bool, bool], list[int]] = {}
    seen: set[int] = set()
    alone: list[list[int]] = []
    for index, (_, request) in enumerate(starts):
        if request.conversation_id in seen:
            alone.append([index])
            continue
        seen.add(request.conversation_id)
        groups.setdefault(request.statement_request().shape, []).append(index)
    return [*groups.values(), *alone]


async def _store(starts: list[Start]) -> list[StoredStart | Exception]:
    """Every group stored in a call of its own (the calls run side by side)."""
    groups = _groups(starts)
    stored = await asyncio.gather(
        *(run_start_db(_store_group, [starts[i] for i in group]) for group in groups),
        return_exceptions=True,
    )
    outcomes: list[StoredStart | Exception] = [Exception("not stored")] * len(starts)
    for group, results in zip(groups, stored, strict=True):
        for position, index in enumerate(group):
            if isinstance(results, BaseException):
                if not isinstance(results, Exception):
                    raise results
                outcomes[index] = results
            else:
                outcomes[index] = results[position]
    return outcomes


_batches: PerLoop[LoopTurnBatches[Start, StoredStart]] = PerLoop(
    lambda loop: LoopTurnBatches(loop, _store, one_at_a_time=True)
)


async def store_start(chat: LiveChat, request: turn_store.TurnRequest) -> StoredStart:
    """Store the start with the others asked in this loop turn; what was stored."""
    return await _batches.get().submit((chat, request))
