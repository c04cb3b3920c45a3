"""Client messages over daphne's size limit (1 MiB by default, `--websocket-max-message-size`)
end the socket with a close frame, 1009 "message too big" and a reason saying the limit, instead of
a silently dropped TCP connection.

daphne builds its autobahn factory inside `Server.run()` with autobahn's default `failByDrop=True`
(a failed connection is dropped without a close frame) and no option to change it; this sets
`failByDrop=False` on every factory daphne makes, so autobahn sends the close frame it already
prepares (code 1009 with "received WebSocket message size N exceeds payload limit of M octets").
Other protocol failures likewise get a close frame with their code.
"""

from __future__ import annotations

from typing import Any

_installed = False


def close_oversize_messages_with_1009() -> None:
    """Install once, before daphne's server runs (config/asgi.py, imported by daphne first)."""
    global _installed
    if _installed:
        return
    try:
        from daphne.ws_protocol import WebSocketFactory  # type: ignore[import-untyped]
    except ImportError:  # served by another ASGI server: nothing to adjust
        return
    original_init = WebSocketFactory.__init__

    def init_with_close_frames(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.setProtocolOptions(failByDrop=False)

    WebSocketFactory.__init__ = init_with_close_frames
    _installed = True
