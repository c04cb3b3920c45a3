"""Checkpoints of this process's running turns, gathered for a moment and written together.

Each running turn saves its text every OC_CHECKPOINT_INTERVAL_SECONDS (checkpoints.py). At N=500
that was 1 000 UPDATEs a second, each its own call to the database threads: py-spy had the
checkpoint write in 38 % of the server's busy samples. A checkpoint can wait a little (the
protocol asks for one at least once a second while text flows), so they are gathered for a
fifth of the interval (0.1 s by default) and written in one statement
(turn_store.checkpoint_turns); the cadence of each turn's writes stays within that fifth of the
setting. A gathered checkpoint the turn no longer needs (its final write, which saves the whole
text, is next) is withdrawn instead of waited for. A batch that fails is written again one turn
at a time, so one turn's failure is its own.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from django.conf import settings

from opencontractserver.conversations import turn_store

from .db_pool import run_checkpoint_db
from .loop_batches import LoopTurnBatches, together_else_alone
from .per_loop import PerLoop

GATHER_SHARE_OF_INTERVAL = 0.2


@dataclass(frozen=True)
class Checkpoint:
    message_id: int
    content: str


def _write(checkpoints: list[Checkpoint]) -> list[Exception | None]:
    """The checkpoints' writes (sync): in one statement, else one by one."""
    return together_else_alone(
        checkpoints,
        lambda all_of: turn_store.checkpoint_turns([(c.message_id, c.content) for c in all_of]),
        lambda one: turn_store.checkpoint_turn(one.message_id, one.content),
    )


async def _write_batch(checkpoints: list[Checkpoint]) -> list[Exception | None]:
    return await run_checkpoint_db(_write, checkpoints)


def _gather_seconds() -> float:
    return float(settings.OC_CHECKPOINT_INTERVAL_SECONDS) * GATHER_SHARE_OF_INTERVAL


def _batches_of(loop: asyncio.AbstractEventLoop) -> LoopTurnBatches[Checkpoint, None]:
    return LoopTurnBatches(loop, _write_batch, gather_seconds=_gather_seconds)


_batches: PerLoop[LoopTurnBatches[Checkpoint, None]] = PerLoop(_batches_of)


async def write(message_id: int, content: str) -> None:
    """Save `content` as the running turn's text with the others gathered (its own failure
    raised here); returns early, unwritten, when withdrawn."""
    await _batches.get().submit(Checkpoint(message_id, content))


def withdraw(message_id: int) -> None:
    """Drop the turn's checkpoint if it is still gathering (its waiter returns at once)."""
    _batches.get().withdraw(lambda checkpoint: checkpoint.message_id == message_id, None)
