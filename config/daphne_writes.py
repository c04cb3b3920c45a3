"""Daphne's socket writes go out at once when nothing waits to be sent before them.

Twisted's TCP transport never writes in `write`: it buffers the bytes and asks the reactor to
watch the socket for writability, and sends them on the next turn of the loop, then stops
watching. Under daphne's asyncio reactor that is two `epoll_ctl` calls and a `send` for every
WebSocket frame, one more loop iteration before the frame leaves, and three system calls that
each release the GIL: with the database threads busy (a burst of turn starts), the event loop
waited for the GIL again after each one, and those waits were the largest share of the loop's
time (docs/performance.md, "Fourth pass"). asyncio's own transports try the send first, and
watch the socket only for what the kernel did not take; `send_writes_at_once` makes Twisted's
TCP connections do the same. Order is kept: the send is tried only when nothing is buffered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twisted.internet import tcp

_buffered_write: Callable[[Any, bytes], None] = tcp.Connection.write


def _write_at_once(self: Any, data: bytes) -> None:
    """`write`, trying the send first when nothing is buffered (the rest is buffered as before)."""
    if (
        data
        and self.connected
        and not self._writeDisconnected
        and not self._tempDataLen
        and self.offset == len(self.dataBuffer)
    ):
        sent = self.writeSomeData(data)
        # A lost connection (an exception, not a count) is left to the buffered path: the
        # reactor's next write attempt tears the connection down as it always did.
        if isinstance(sent, int) and sent >= 0:
            if sent == len(data):
                return
            data = data[sent:]
    _buffered_write(self, data)


def send_writes_at_once() -> None:
    """Make Twisted's TCP connections send at once (call before daphne accepts connections)."""
    tcp.Connection.write = _write_at_once  # type: ignore[method-assign]
