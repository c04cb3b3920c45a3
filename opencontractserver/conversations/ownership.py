"""Which server process owns a running turn, and whether that process is still alive.

Each process holds a PostgreSQL session-level advisory lock on a random key for as long as it lives,
on a connection of its own. A turn's LLM message records that key (`ChatMessage.owner_key`). The
lock disappears the moment the process dies (even after `kill -9`: PostgreSQL ends the session when
its socket closes), so any process can tell a live owner from a dead one with
`pg_try_advisory_lock`, without heartbeats or clocks, and several processes can settle crashed turns
safely at the same time.

A PostgreSQL restart ends the lock's session while this process lives on: the next use of the key
notices the dead connection and takes the same key again on a new one, so the turns this process
still runs stay owned by it.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import select
import threading
from typing import Any

from django.db import connection

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_owner_key: int | None = None
_owner_connection: Any = None
_DJANGO_ONLY_PARAMS = {"context", "cursor_factory", "server_side_binding", "pool", "assume_role"}


def process_owner_key() -> int:
    """This process's owner key; takes the advisory lock on first use, and again (the same key)
    when the lock's connection died with a PostgreSQL restart (sync, touches the DB)."""
    global _owner_key, _owner_connection
    with _lock:
        if _owner_key is not None and _lock_connection_alive(_owner_connection):
            return _owner_key
        import psycopg

        if _owner_connection is not None:
            with contextlib.suppress(psycopg.Error):
                _owner_connection.close()
            _owner_connection = None
        key = _owner_key if _owner_key is not None else secrets.randbits(62) + 1
        params = {
            name: value
            for name, value in connection.get_connection_params().items()
            if name not in _DJANGO_ONLY_PARAMS
        }
        conn = psycopg.connect(**params, autocommit=True)
        conn.execute("SELECT pg_advisory_lock(%s)", [key])
        retaken = _owner_key is not None
        _owner_key, _owner_connection = key, conn
        logger.info("turn owner key %s %slocked for this process", key, "re-" if retaken else "")
        return key


def _lock_connection_alive(conn: Any) -> bool:
    """Whether the lock's session still exists. A session PostgreSQL ended (a restart, a
    terminated backend) leaves its last message and the end of the stream to read on the socket,
    while a live idle session has nothing to read: only then is a round trip needed to tell (a
    dead socket looks open). So the check that runs at every turn start costs no round trip and
    does not queue every database thread on this one connection."""
    if conn is None or conn.closed:
        return False
    import psycopg

    try:
        readable, _, _ = select.select([conn.fileno()], [], [], 0)
        if not readable:
            return True
        conn.execute("SELECT 1")
    except (OSError, ValueError, psycopg.Error):
        return False
    return True


def is_owner_alive(owner_key: int | None) -> bool:
    """True when the process that holds `owner_key` is still running (sync, touches the DB)."""
    if owner_key is None:
        return False
    if owner_key is not None and owner_key == _owner_key:
        process_owner_key()  # this process is alive: make sure it holds its lock again
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [owner_key])
        (acquired,) = cursor.fetchone()
        if acquired:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [owner_key])
    return not acquired


def release_process_owner_key() -> None:
    """Give up this process's key (tests, and clean shutdowns); a later turn takes a new one."""
    global _owner_key, _owner_connection
    with _lock:
        if _owner_connection is not None:
            _owner_connection.close()
        _owner_key, _owner_connection = None, None
