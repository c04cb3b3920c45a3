"""WebSocket routes (PROTOCOL §1)."""

from typing import Any

websocket_urlpatterns: list[Any] = []
