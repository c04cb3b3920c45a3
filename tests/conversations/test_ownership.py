"""The process's turn-owner key (conversations/ownership.py): checked without a round trip while
its session lives, taken again when PostgreSQL ended that session."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.db import connection

from opencontractserver.conversations import ownership
from opencontractserver.conversations.ownership import (
    process_owner_key,
    release_process_owner_key,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fresh_key() -> Iterator[None]:
    release_process_owner_key()
    yield
    release_process_owner_key()


def _lock_session() -> tuple[int, str]:
    """The backend pid of the lock's session and the last statement it ran."""
    conn = ownership._owner_connection
    assert conn is not None
    pid = conn.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        (query,) = cursor.fetchone()
    return pid, query


def _holders(key: int) -> int:
    """How many sessions hold the advisory lock on `key` (objid: its low 32 bits)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND objid = (%s::bigint & 4294967295)::oid",
            [key],
        )
        (count,) = cursor.fetchone()
    return int(count)


def test_a_live_lock_session_is_checked_without_a_round_trip(fresh_key: None) -> None:
    key = process_owner_key()
    pid, first = _lock_session()
    assert "pg_advisory_lock" in first

    assert [process_owner_key() for _ in range(20)] == [key] * 20

    # Every database thread asks at every turn start: had any call sent a statement (the old
    # "SELECT 1"), the session's last statement would be that one.
    assert _lock_session() == (pid, first)
    assert _holders(key) == 1


def test_a_terminated_lock_session_is_noticed_and_the_same_key_taken_again(
    fresh_key: None,
) -> None:
    key = process_owner_key()
    pid, _ = _lock_session()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while _holders(key) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _holders(key) == 0, "the lock went with its session"

    assert process_owner_key() == key
    new_pid, query = _lock_session()
    assert new_pid != pid and "pg_advisory_lock" in query
    assert _holders(key) == 1
