"""Which text the server accepts from outside: one rule for every channel (HTTP and WebSocket).

PostgreSQL refuses NUL characters in text columns, and a lone surrogate (half of a UTF-16 pair,
which JSON's `\\udXXX` escapes can produce) cannot be encoded as UTF-8 at all. Either would fail
deep inside a write; both are refused where input enters, with a message that says which.
Structures are walked without recursion and refused past MAX_NESTING, so no input can exhaust the
stack of a parser, a validator or a logger downstream.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

MAX_NESTING = 32
"""Deepest nesting of lists/objects accepted in any JSON input (real frames and bodies use 3)."""


@dataclass(frozen=True)
class TextProblem:
    """Why an input was refused: `where` is a dotted path into it ("" for the whole input)."""

    where: str
    problem: str
    kind: Literal["text", "nesting"] = "text"

    def describe(self) -> str:
        return f"{self.where}: {self.problem}" if self.where else self.problem


_TOO_DEEP = TextProblem("", f"input nests deeper than {MAX_NESTING} levels", "nesting")


def text_problem(value: str) -> str | None:
    """What makes `value` unstorable, or None when it is fine."""
    if "\x00" in value:
        return "text must not contain NUL (\\u0000) characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "text must not contain lone surrogates (invalid Unicode)"
    return None


def first_text_problem(value: Any) -> TextProblem | None:
    """The first string (key or value) of a decoded JSON value that cannot be stored, or a
    nesting problem; None when every string is fine."""
    for where, item, depth in _walk(value):
        if depth > MAX_NESTING:
            return _TOO_DEEP
        if isinstance(item, str):
            problem = text_problem(item)
            if problem is not None:
                return TextProblem(where, problem)
    return None


def _walk(value: Any) -> Iterator[tuple[str, Any, int]]:
    """Every node of a decoded JSON value as (dotted path, node, depth); keys count as nodes."""
    stack: list[tuple[str, Any, int]] = [("", value, 0)]
    while stack:
        where, item, depth = stack.pop()
        yield where, item, depth
        if depth > MAX_NESTING:
            return
        if isinstance(item, dict):
            for key, child in item.items():
                name = str(key) if text_problem(str(key)) is None else "<invalid key>"
                path = f"{where}.{name}" if where else name
                yield where, key, depth + 1
                stack.append((path, child, depth + 1))
        elif isinstance(item, list):
            for index, child in enumerate(item):
                stack.append((f"{where}.{index}" if where else str(index), child, depth + 1))
