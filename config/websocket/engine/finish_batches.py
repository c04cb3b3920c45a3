"""Final writes of completed and cancelled turns that end in one turn of the event loop are
written together (loop_batches.py): one transaction that locks and reads their rows in one
statement and writes them in one (turn_store.finish_turns), instead of four round trips each.
At N=200 the turns end within ~100 ms of each other, and their one-by-one final writes queued on
the database threads: the last ASYNC_FINISH came ~160 ms after the last turn's final delta.
A batch that fails is written again one turn at a time, so one turn's failure is its own.
"""

from __future__ import annotations

from opencontractserver.conversations import turn_store
from opencontractserver.conversations.turn_store import TurnEnding

from .db_pool import run_db
from .loop_batches import LoopTurnBatches
from .per_loop import PerLoop


def _write(endings: list[TurnEnding]) -> list[Exception | None]:
    """The endings' final writes (sync): all in one transaction, else one by one."""
    if len(endings) > 1:
        try:
            turn_store.finish_turns(endings)
        except Exception:
            pass  # each ending on its own below: the failure is the failing one's only
        else:
            return [None] * len(endings)
    outcomes: list[Exception | None] = []
    for ending in endings:
        try:
            turn_store.finish_ending(ending)
        except Exception as exc:
            outcomes.append(exc)
        else:
            outcomes.append(None)
    return outcomes


async def _write_batch(endings: list[TurnEnding]) -> list[Exception | None]:
    return await run_db(_write, endings)


_batches: PerLoop[LoopTurnBatches[TurnEnding, None]] = PerLoop(
    lambda loop: LoopTurnBatches(loop, _write_batch)
)


async def finish(ending: TurnEnding) -> None:
    """Write `ending` with the others of this loop turn (its own failure raised here)."""
    await _batches.get().submit(ending)
