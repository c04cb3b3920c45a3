"""Fuzzing the HTTP API from its own OpenAPI document (schemathesis, in-process WSGI, no network):
whatever a signed-in caller sends to any operation (NUL and lone surrogates, wrong types, huge or
negative numbers, missing fields), the answer is never a 5xx, and every error is the API's JSON
`{code, message}`. Each example runs in a savepoint of its own (tests/support/
isolated_examples.py), and no request may leave the connection in a failed transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from opencontractserver.users.tokens import issue_token
from tests.support.isolated_examples import connection_usable, isolated_example

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def signed_in(db: None) -> Iterator[dict[str, str]]:
    """A user who owns a corpus with a document (ids 1-3 are likely to exist). As Django's test
    client does, requests do not close the test's connection (it lives in the test's
    transaction)."""
    user = User.objects.create_user("fuzzer", password="fuzzer-pass")
    document = Document.objects.create(title="Lease", creator=user, text="Rent is due monthly.")
    Corpus.objects.create(title="Corpus", creator=user).documents.add(document)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {issue_token(user).access}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_input_makes_the_api_fail(
    case: schemathesis.Case[Any], signed_in: dict[str, str]
) -> None:
    with isolated_example():
        response = case.call(headers=signed_in)
        assert connection_usable() is None, (case.as_curl_command(), connection_usable())
    assert response.status_code < 500, (case.as_curl_command(), response.text[:500])
    if response.status_code >= 400:
        body = json.loads(response.text)
        assert set(body) == {"code", "message"}, body
