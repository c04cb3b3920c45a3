"""Final writes of completed and cancelled turns that end in one turn of the event loop, or while
the batch before them is written, are written together (loop_batches.py, one at a time): one
transaction that locks and reads their rows in one statement and writes them in one
(turn_store.finish_turns), instead of four round trips each. At N=200 the turns end within ~100 ms
of each other, and their one-by-one final writes queued on the database threads: the last
ASYNC_FINISH came ~160 ms after the last turn's final delta. A batch that fails is written again one
turn at a time, so one turn's failure is its own.
"""

from __future__ import annotations

from opencontractserver.conversations import turn_store
from opencontractserver.conversations.turn_store import TurnEnding

from .db_pool import run_db
from .loop_batches import LoopTurnBatches, together_else_alone
from .per_loop import PerLoop


def _write(endings: list[TurnEnding]) -> list[Exception | None]:
    """The endings' final writes (sync): all in one transaction, else one by one."""
    return together_else_alone(endings, turn_store.finish_turns, turn_store.finish_ending)


async def _write_batch(endings: list[TurnEnding]) -> list[Exception | None]:
    return await run_db(_write, endings)


_batches: PerLoop[LoopTurnBatches[TurnEnding, None]] = PerLoop(
    lambda loop: LoopTurnBatches(loop, _write_batch, one_at_a_time=True)
)


async def finish(ending: TurnEnding) -> None:
    """Write `ending` with the others of this loop turn (its own failure raised here)."""
    await _batches.get().submit(ending)
