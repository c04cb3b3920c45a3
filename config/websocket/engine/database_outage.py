"""Ending a turn whose database went away (a PostgreSQL restart or outage mid-turn).

The sockets learn at once: the error frame does not wait for the database. The error itself,
with the text streamed so far, is stored as soon as the database answers again (retried with a
growing pause, for up to OC_DB_OUTAGE_RETRY_SECONDS). The turn's task lives until then, so the
message is never left `in_progress` by a process that forgot it; this process's turn-owner lock
is taken again first (opencontractserver/conversations/ownership.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from django.conf import settings

from config.websocket.session_log import SessionLog
from opencontractserver.conversations.ownership import process_owner_key

from .db_pool import run_db

_FIRST_PAUSE_SECONDS = 0.25
_LONGEST_PAUSE_SECONDS = 5.0


async def store_when_the_database_returns(
    write: Callable[[], None], *, log: SessionLog, message_id: int
) -> bool:
    """Run `write` (sync, on the database thread) until it succeeds; False if it never did."""
    deadline = time.monotonic() + settings.OC_DB_OUTAGE_RETRY_SECONDS
    pause = _FIRST_PAUSE_SECONDS
    attempts = 0
    while True:
        attempts += 1
        try:
            await run_db(_retake_lock_and_write, write)
        except Exception as exc:
            if time.monotonic() + pause > deadline:
                log.warning(
                    message_id, "gave up storing the turn's end after %s tries: %r", attempts, exc
                )
                return False
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE_SECONDS)
            continue
        if attempts > 1:
            log.info(message_id, "stored the turn's end after %s tries", attempts)
        return True


def _retake_lock_and_write(write: Callable[[], None]) -> None:
    process_owner_key()
    write()
