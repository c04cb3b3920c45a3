"""Every SQL statement any thread runs, counted where Django's cursors run them."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from django.db.backends import utils as db_utils


@contextlib.contextmanager
def counted_statements() -> Iterator[list[str]]:
    """The SQL of every statement run by any thread while the block runs, in order."""
    statements: list[str] = []
    lock = threading.Lock()
    wrapper: Any = db_utils.CursorWrapper
    original = wrapper._execute_with_wrappers

    def counting(self: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        with lock:
            statements.append(sql)
        return original(self, sql, *args, **kwargs)

    wrapper._execute_with_wrappers = counting
    try:
        yield statements
    finally:
        wrapper._execute_with_wrappers = original
