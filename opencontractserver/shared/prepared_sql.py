"""SQL compiled from the ORM once, its values bound per call: hot-path statements without
Django's SQL compiler on every call (building and compiling a turn's querysets was a third or
more of a busy server's samples, serialised by the GIL).

A queryset is built once with *sentinels* where the per-call values go (a user whose pk is a
sentinel, a sentinel conversation id, ...) and compiled; each `%s` whose compiled parameter is a
sentinel becomes a named placeholder, every other parameter (constants such as 'write') is kept
as compiled. So the SQL is the ORM's own (one place for each rule: the permission querysets
stay the only definition), and a call binds values by name.

PostgreSQL plans a statement sent with its values on every call: for the turn start that was
0.7 to 0.9 ms of planning against 0.2 to 0.35 ms of execution, on the cores the event loop
needs. So `execute` sends these statements with server-side binding and has them prepared (once
per connection; psycopg keeps the names): a start then costs PostgreSQL ~0.3 ms of CPU instead
of ~0.85 (measured serially on the bench database). Django's own queries are untouched (its
client-side binding cursor never prepares). OC_DB_PREPARED_STATEMENTS=0 turns it off, e.g.
behind a pooler in transaction mode that cannot keep prepared statements.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import Model, QuerySet
from django.db.models.sql import UpdateQuery

_PLACEHOLDER = re.compile(r"%%|%s")


@dataclass(frozen=True)
class Sentinel:
    """A value that stands for the parameter `name` while a queryset is compiled."""

    name: str
    value: Any


def sentinel_int(name: str, index: int) -> Sentinel:
    """An id no row has (ids count up from 1), distinct per `index`."""
    return Sentinel(name, 2**62 + 7919 * (index + 1))


def sentinel_uuid(name: str, index: int) -> Sentinel:
    return Sentinel(name, uuid.UUID(int=2**127 + 7919 * (index + 1)))


def sentinel_datetime(name: str, index: int) -> Sentinel:
    return Sentinel(name, datetime(1901, 1, 1, 0, 0, index, tzinfo=UTC))


@dataclass(frozen=True)
class Fragment:
    """SQL with named placeholders, and the compiled constants it binds (`fixed`)."""

    sql: str
    fixed: Mapping[str, Any]


def name_parameters(
    sql: str, params: tuple[Any, ...] | list[Any], sentinels: list[Sentinel], prefix: str
) -> Fragment:
    """`sql` (Django's: `%s` placeholders, `%%` for a literal %) with each parameter that is a
    sentinel replaced by `%(name)s`; the others become `%(<prefix>N)s`, bound to their value.
    Every sentinel must occur (else the queryset did not use it and the SQL would be wrong)."""
    remaining = iter(params)
    fixed: dict[str, Any] = {}
    used: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%%"
        value = next(remaining)
        for sentinel in sentinels:
            if _stands_for(value, sentinel):
                used.add(sentinel.name)
                return f"%({sentinel.name})s"
        name = f"{prefix}{len(fixed)}"
        fixed[name] = value
        return f"%({name})s"

    named = _PLACEHOLDER.sub(replace, sql)
    missing = {s.name for s in sentinels} - used
    if missing or next(remaining, None) is not None:
        raise ValueError(f"compiled SQL does not bind {sorted(missing)} as expected: {sql}")
    return Fragment(named, fixed)


def _stands_for(value: Any, sentinel: Sentinel) -> bool:
    if getattr(value, "obj", None) is sentinel.value:  # a JSON value, wrapped by its adapter
        return True
    return type(value) is type(sentinel.value) and bool(value == sentinel.value)


def compile_queryset(queryset: QuerySet[Any], sentinels: list[Sentinel], prefix: str) -> Fragment:
    """The SQL of `queryset` with its sentinels named (a locking queryset must be compiled
    inside a transaction, as Django requires)."""
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return name_parameters(sql, params, sentinels, prefix)


def compile_update(
    queryset: QuerySet[Any], values: Mapping[str, Any], sentinels: list[Sentinel], prefix: str
) -> Fragment:
    """The SQL of `queryset.update(**values)`, where a value may be a sentinel (bind the field's
    database value, see `db_value`) or a constant."""
    query = queryset.query.chain(UpdateQuery)
    assert isinstance(query, UpdateQuery)
    query.add_update_values(
        {
            name: value.value if isinstance(value, Sentinel) else value
            for name, value in values.items()
        }
    )
    sql, params = query.get_compiler(connection=connection).as_sql()
    return name_parameters(sql, params, sentinels, prefix)


def db_value(model: type[Model], field_name: str, value: Any) -> Any:
    """`value` as Django binds it for the field (e.g. a dict wrapped for a JSON column)."""
    return model._meta.get_field(field_name).get_db_prep_save(value, connection)  # type: ignore[union-attr]


class _PreparingCursor:
    """A server-binding psycopg cursor whose `execute` has the statement prepared (Django's
    cursor wrapper calls `execute(sql, params)` and passes nothing else)."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._cursor.execute(sql, params, prepare=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


def _statement_cursor() -> CursorWrapper:
    """A Django cursor (errors translated, queries counted and logged as Django's are) for one
    of these statements: preparing, unless OC_DB_PREPARED_STATEMENTS is off."""
    if not settings.OC_DB_PREPARED_STATEMENTS:
        return connection.cursor()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns preparing off for the whole connection; only these cursors ask for it.
        raw.prepare_threshold = 5
    cursor = _PreparingCursor(psycopg.Cursor(raw))
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)  # type: ignore[arg-type]
    return connection.make_cursor(cursor)  # type: ignore[arg-type]


def execute(statement: Fragment, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Run `statement` with `values` bound by name; its rows (none for an UPDATE)."""
    with _statement_cursor() as cursor:
        cursor.execute(statement.sql, {**statement.fixed, **values})
        return list(cursor.fetchall()) if cursor.description else []


def execute_update(statement: Fragment, values: Mapping[str, Any]) -> int:
    """Run the UPDATE `statement` with `values` bound by name; how many rows it changed."""
    with _statement_cursor() as cursor:
        cursor.execute(statement.sql, {**statement.fixed, **values})
        return int(cursor.rowcount)


def json_sentinel(name: str) -> Sentinel:
    """A JSON value (compared by identity: its adapter wraps this very dict)."""
    return Sentinel(name, {"sentinel": name})


def text_sentinel(name: str) -> Sentinel:
    return Sentinel(name, f"\x00{name}\x00")


def insert_values(instance: Model, skip: set[str]) -> dict[str, Any]:
    """The database values of an unsaved `instance`'s columns (as Django's INSERT would bind
    them: defaults, `auto_now_add`, JSON adaptation), keyed by column, without `skip` and the
    primary key."""
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.column in skip:
            continue
        values[field.column] = field.get_db_prep_save(
            field.pre_save(instance, add=True), connection
        )
    return values


def insert_columns(model: type[Model], skip: set[str]) -> list[str]:
    """The columns `insert_values` gives, in the same order."""
    return [
        field.column
        for field in model._meta.concrete_fields
        if not field.primary_key and field.column not in skip
    ]
