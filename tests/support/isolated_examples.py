"""One hypothesis example, one savepoint: what an example's requests write, and a statement
that fails in them, end with the example.

Hypothesis runs every example of a test inside that test's one transaction (a function-scoped
fixture is set up once). A request whose SQL fails aborts that transaction, and then every later
example fails with "current transaction is aborted", including the ones hypothesis replays while
shrinking; the failure it reports is then one of those, not the request that caused it. Each
example runs in a savepoint of its own instead, and after its request the connection must still
take a query: a request that leaves the transaction failed is reported as itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction


class _RolledBack(Exception):
    pass


@contextmanager
def isolated_example() -> Iterator[None]:
    """Run the body in a savepoint that is always rolled back."""
    try:
        with transaction.atomic():
            yield
            raise _RolledBack
    except _RolledBack:
        pass


def connection_usable() -> str | None:
    """None when the connection still takes a query, else why it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return str(exc)
    return None
