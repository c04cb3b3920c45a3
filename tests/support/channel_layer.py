"""A fresh in-memory channel layer per test, so no group or message leaks between tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from channels.layers import channel_layers
from django.test import override_settings


@contextmanager
def fresh_in_memory_channel_layer(**settings: Any) -> Iterator[None]:
    """An empty in-memory layer (no Redis) for the block, with `settings` overridden too."""
    channel_layers.backends = {}
    with override_settings(
        REDIS_URL="",
        CHANNEL_LAYERS={"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}},
        **settings,
    ):
        yield
    channel_layers.backends = {}
