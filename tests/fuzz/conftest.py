"""The fuzz suite talks to scripted agents on a fresh in-memory channel layer, with the query
rate limit off (hundreds of fuzzed questions a minute are the point)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.agent_factories import SCRIPTED_FACTORY
from tests.support.channel_layer import fresh_in_memory_channel_layer


@pytest.fixture(autouse=True)
def scripted_agents(release_owner_key_at_end: None) -> Iterator[None]:
    with fresh_in_memory_channel_layer(
        OC_AGENT_FACTORY=SCRIPTED_FACTORY, OC_COALESCE_WINDOW_MS=0, OC_QUERIES_PER_MINUTE=0
    ):
        yield
