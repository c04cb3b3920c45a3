"""Which server process owns a running turn, and whether that process is still alive.

Each process holds a PostgreSQL session-level advisory lock on a random key for as long as it lives,
on a connection of its own. A turn's LLM message records that key (`ChatMessage.owner_key`). The
lock disappears the moment the process dies (even after `kill -9`: PostgreSQL ends the session when
its socket closes), so any process can tell a live owner from a dead one with
`pg_try_advisory_lock`, without heartbeats or clocks, and several processes can settle crashed turns
safely at the same time.
"""

from __future__ import annotations

import logging
import secrets
import threading
from typing import Any

from django.db import connection

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_owner_key: int | None = None
_owner_connection: Any = None
_DJANGO_ONLY_PARAMS = {"context", "cursor_factory", "server_side_binding", "pool", "assume_role"}


def process_owner_key() -> int:
    """This process's owner key; takes the advisory lock on first use (sync, touches the DB)."""
    global _owner_key, _owner_connection
    with _lock:
        if (
            _owner_key is not None
            and _owner_connection is not None
            and not _owner_connection.closed
        ):
            return _owner_key
        import psycopg

        key = secrets.randbits(62) + 1
        params = {
            name: value
            for name, value in connection.get_connection_params().items()
            if name not in _DJANGO_ONLY_PARAMS
        }
        conn = psycopg.connect(**params, autocommit=True)
        conn.execute("SELECT pg_advisory_lock(%s)", [key])
        _owner_key, _owner_connection = key, conn
        logger.info("turn owner key %s locked for this process", key)
        return key


def is_owner_alive(owner_key: int | None) -> bool:
    """True when the process that holds `owner_key` is still running (sync, touches the DB)."""
    if owner_key is None:
        return False
    if owner_key == _owner_key and _owner_connection is not None and not _owner_connection.closed:
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
