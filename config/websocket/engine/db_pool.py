"""Where the WebSocket engine's database work runs: the lanes of opencontractserver/shared/
db_threads.py (a bounded pool of threads, not Channels' one database thread).

`run_connect_db` is a handshake's work (it goes first: daphne drops a handshake the application
has not accepted within 5 s); `run_db` is a started turn's (building the agent, endings);
`run_start_db` a new turn's start (after a started turn's work); `run_checkpoint_db` a
running turn's checkpoint (after queued starts and endings).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from opencontractserver.shared.db_threads import run_for_turn as run_db
from opencontractserver.shared.db_threads import run_in_lane

__all__ = ["run_checkpoint_db", "run_connect_db", "run_db", "run_start_db"]

P = ParamSpec("P")
R = TypeVar("R")


async def run_connect_db(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run the sync `fn` in the connect lane (ahead of queued turn work); its result."""
    return await run_in_lane("connect", fn, *args, **kwargs)


async def run_checkpoint_db(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run the sync `fn` in the checkpoint lane (behind queued turn starts and endings)."""
    return await run_in_lane("checkpoint", fn, *args, **kwargs)


async def run_start_db(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run the sync `fn` in the start lane (behind the work of turns already started)."""
    return await run_in_lane("start", fn, *args, **kwargs)
