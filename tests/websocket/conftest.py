"""Fixtures of the WebSocket suite: scripted agents on a clean channel layer. The helpers that
talk to the application are in tests/support/websocket_client.py and turn_tasks.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.agent_factories import SCRIPTED_FACTORY
from tests.support.channel_layer import fresh_in_memory_channel_layer


@pytest.fixture(autouse=True)
def scripted_agents(release_owner_key_at_end: None) -> Iterator[None]:
    """Every test talks to scripted agents, with a fresh in-memory channel layer."""
    with fresh_in_memory_channel_layer(OC_AGENT_FACTORY=SCRIPTED_FACTORY, OC_COALESCE_WINDOW_MS=0):
        yield
