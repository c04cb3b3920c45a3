"""A fuzz example whose SQL fails does not fail the examples after it (the HTTP fuzz test's
"current transaction is aborted" after another example's failed statement)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection

from opencontractserver.users.models import User
from tests.support.isolated_examples import connection_usable, isolated_example


def _failing_statement() -> None:
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("SELECT 1 / 0")


@pytest.mark.django_db
def test_a_failed_statement_in_one_example_leaves_the_next_one_working() -> None:
    with isolated_example():
        _failing_statement()
        assert connection_usable() is not None  # this example's request is the one reported
    with isolated_example():
        assert connection_usable() is None
        assert User.objects.count() == 0


@pytest.mark.django_db
def test_what_an_example_writes_ends_with_it() -> None:
    with isolated_example():
        User.objects.create_user("written-in-an-example")
    assert not User.objects.filter(username="written-in-an-example").exists()
