"""The database threads' lanes (opencontractserver/shared/db_threads.py), counted, not timed:
queued handshake work goes ahead of queued turn work, which goes ahead of background work
(titles), and background work never holds more than one thread."""

from __future__ import annotations

import threading
from collections.abc import Callable

from opencontractserver.shared.db_threads import Lane, LanePool


def _recorder(order: list[str], name: str) -> Callable[[], str]:
    def record() -> str:
        order.append(name)
        return name

    return record


def test_queued_work_is_taken_in_lane_order_then_in_arrival_order() -> None:
    pool = LanePool(1, name="test-order")
    entered, release = threading.Event(), threading.Event()

    def occupy() -> None:
        entered.set()
        release.wait(timeout=10)

    busy = pool.submit("turn", occupy)
    assert entered.wait(timeout=10)
    order: list[str] = []
    queued: list[tuple[Lane, str]] = [
        ("background", "title 1"),
        ("turn", "checkpoint 1"),
        ("background", "title 2"),
        ("connect", "handshake 1"),
        ("turn", "checkpoint 2"),
        ("connect", "handshake 2"),
    ]
    futures = [pool.submit(lane, _recorder(order, name)) for lane, name in queued]
    release.set()
    busy.result(timeout=10)
    assert [future.result(timeout=10) for future in futures] == [name for _, name in queued]
    assert order == [
        "handshake 1",
        "handshake 2",
        "checkpoint 1",
        "checkpoint 2",
        "title 1",
        "title 2",
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
