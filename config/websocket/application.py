"""The WebSocket side of the ASGI application (used by config/asgi.py and the tests)."""

from __future__ import annotations

import logging
from typing import Any

from channels.routing import URLRouter
from django.db import close_old_connections

from opencontractserver.conversations.turn_store import settle_interrupted_turns

from .middleware import ChatAuthMiddleware
from .routing import websocket_urlpatterns

logger = logging.getLogger(__name__)


def websocket_application() -> Any:
    return ChatAuthMiddleware(URLRouter(websocket_urlpatterns))


def settle_turns_of_dead_processes() -> None:
    """At process start: messages left `in_progress` by a dead process become error/interrupted.
    Safe with several processes starting at once (live owners hold their advisory lock)."""
    try:
        settle_interrupted_turns()
    except Exception:
        logger.exception("could not settle interrupted turns at startup")
    finally:
        close_old_connections()
