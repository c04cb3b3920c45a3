"""The database threads' lanes (opencontractserver/shared/db_threads.py), counted, not timed:
queued handshake work goes ahead of queued turn work, then new turns' starts, then checkpoints,
then background work (titles), and background work never holds more than one thread; calls
that keep coming share one pooled connection, which goes back once idle, and never one a call
left with an error."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import ProgrammingError, connection
from psycopg_pool import ConnectionPool

from opencontractserver.shared.db_threads import (
    KEEP_IDLE_CONNECTION_SECONDS,
    Lane,
    LanePool,
    run_call,
)


def _recorder(order: list[str], name: str) -> Callable[[], str]:
    def record() -> str:
        order.append(name)
        return name

    return record


def _order_run_in(queued: list[tuple[Lane, str]], name: str) -> list[str]:
    """Queue `queued` on a one-thread pool while its thread is busy, then free it: the names in
    the order the thread ran them (each call also returns its own name to its caller)."""
    pool = LanePool(1, name=name)
    entered, release = threading.Event(), threading.Event()

    def occupy() -> None:
        entered.set()
        release.wait(timeout=10)

    busy = pool.submit("turn", occupy)
    assert entered.wait(timeout=10)
    order: list[str] = []
    futures = [pool.submit(lane, _recorder(order, item)) for lane, item in queued]
    release.set()
    busy.result(timeout=10)
    assert [future.result(timeout=10) for future in futures] == [item for _, item in queued]
    return order


def test_queued_work_is_taken_in_lane_order_then_in_arrival_order() -> None:
    queued: list[tuple[Lane, str]] = [
        ("background", "title 1"),
        ("turn", "checkpoint 1"),
        ("background", "title 2"),
        ("connect", "handshake 1"),
        ("turn", "checkpoint 2"),
        ("connect", "handshake 2"),
    ]
    assert _order_run_in(queued, "test-order") == [
        "handshake 1",
        "handshake 2",
        "checkpoint 1",
        "checkpoint 2",
        "title 1",
        "title 2",
    ]


def test_a_started_turns_work_goes_before_new_starts_then_checkpoints_then_titles() -> None:
    queued: list[tuple[Lane, str]] = [
        ("checkpoint", "checkpoint 1"),
        ("start", "start 1"),
        ("background", "title"),
        ("turn", "agent of turn 0"),
        ("start", "start 2"),
        ("checkpoint", "checkpoint 2"),
        ("turn", "ending of turn 0"),
    ]
    assert _order_run_in(queued, "test-checkpoints") == [
        "agent of turn 0",
        "ending of turn 0",
        "start 1",
        "start 2",
        "checkpoint 1",
        "checkpoint 2",
        "title",
    ]


def test_background_work_holds_at_most_one_thread() -> None:
    pool = LanePool(3, name="test-background")
    entered, release = threading.Event(), threading.Event()
    running = [0, 0]  # now, most ever
    lock = threading.Lock()

    def slow_title() -> None:
        with lock:
            running[0] += 1
            running[1] = max(running)
        entered.set()
        release.wait(timeout=10)
        with lock:
            running[0] -= 1

    titles = [pool.submit("background", slow_title) for _ in range(5)]
    assert entered.wait(timeout=10)
    # While a title blocks its thread, the other threads still serve turns and handshakes.
    assert pool.submit("turn", lambda: "checkpoint").result(timeout=10) == "checkpoint"
    assert pool.submit("connect", lambda: "handshake").result(timeout=10) == "handshake"
    assert running[1] == 1
    release.set()
    for title in titles:
        title.result(timeout=10)
    assert running == [0, 1], "the titles ran one after another"


def test_an_exception_reaches_the_caller_and_the_thread_goes_on() -> None:
    pool = LanePool(1, name="test-errors")

    def fail() -> None:
        raise ValueError("no such row")

    failed = pool.submit("background", fail)
    try:
        failed.result(timeout=10)
    except ValueError as exc:
        assert str(exc) == "no such row"
    else:
        raise AssertionError("the exception was lost")
    assert pool.submit("background", lambda: 2).result(timeout=10) == 2


def _pool_checkouts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Connections handed out by the pool (a list of thread ids, one per checkout)."""
    taken: list[int] = []
    original = ConnectionPool.getconn

    def getconn(self: ConnectionPool, *args: Any, **kwargs: Any) -> Any:
        taken.append(threading.get_ident())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ConnectionPool, "getconn", getconn)
    return taken


def _query() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return int(one)


@pytest.mark.django_db(transaction=True)
def test_calls_that_keep_coming_go_on_with_one_pooled_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool = LanePool(1, name="test-keep")
    entered, release = threading.Event(), threading.Event()

    def occupy() -> int:
        entered.set()
        release.wait(timeout=10)
        return _query()

    taken = _pool_checkouts(monkeypatch)
    first = pool.submit("turn", lambda: run_call(occupy))
    assert entered.wait(timeout=10)
    queued = [pool.submit("turn", lambda: run_call(_query)) for _ in range(20)]
    release.set()
    assert first.result(timeout=10) == 1
    assert [future.result(timeout=10) for future in queued] == [1] * 20
    assert len(taken) == 1, "21 calls in a row, one connection taken from the pool"
    time.sleep(KEEP_IDLE_CONNECTION_SECONDS * 5)
    assert pool.submit("turn", lambda: run_call(_query)).result(timeout=10) == 1
    assert len(taken) == 2, "once idle, the connection went back; the next call took one"


@pytest.mark.django_db(transaction=True)
def test_a_connection_a_call_left_with_an_error_is_not_handed_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool = LanePool(1, name="test-error")
    entered, release = threading.Event(), threading.Event()

    def fail() -> None:
        entered.set()
        release.wait(timeout=10)
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column")

    taken = _pool_checkouts(monkeypatch)
    failing = pool.submit("turn", lambda: run_call(fail))
    assert entered.wait(timeout=10)
    after = pool.submit("turn", lambda: run_call(_query))
    release.set()
    with pytest.raises(ProgrammingError):
        failing.result(timeout=10)
    assert after.result(timeout=10) == 1
    assert len(taken) == 2, "the call after the error took a fresh connection"
