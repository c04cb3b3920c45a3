"""config/daphne_writes.py: a Twisted TCP connection with nothing buffered sends in `write`; with
bytes buffered, or a kernel buffer that takes only part, it buffers as Twisted always did, in
order. A real socket pair; the reactor is only asked to watch for writability."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from twisted.internet import tcp
from twisted.internet.protocol import Protocol

from config.daphne_writes import send_writes_at_once


class _Watches:
    """What the connection asked the reactor for (a set, as a reactor keeps its writers)."""

    def __init__(self) -> None:
        self.writers: list[object] = []

    def addWriter(self, writer: object) -> None:
        if writer not in self.writers:
            self.writers.append(writer)

    def removeWriter(self, writer: object) -> None:
        if writer in self.writers:
            self.writers.remove(writer)


@pytest.fixture
def pair() -> Iterator[tuple[Any, socket.socket, _Watches]]:
    send_writes_at_once()
    ours, peer = socket.socketpair()
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    watches = _Watches()
    connection = tcp.Connection(ours, Protocol(), reactor=watches)  # type: ignore[arg-type]
    connection.connected = 1
    yield connection, peer, watches
    ours.close()
    peer.close()


def _read_all(peer: socket.socket, size: int, connection: Any) -> bytes:
    """Read `size` bytes, letting the connection write what it buffered (as the reactor would)."""
    peer.setblocking(False)
    received = bytearray()
    while len(received) < size:
        try:
            received += peer.recv(1 << 16)
        except BlockingIOError:
            assert connection.doWrite() is None
    return bytes(received)


def test_a_frame_to_an_idle_socket_is_sent_in_write(
    pair: tuple[Any, socket.socket, _Watches],
) -> None:
    connection, peer, watches = pair
    connection.write(b"frame one")
    connection.write(b"frame two")

    peer.settimeout(1)  # sent already, or never (Twisted's own write waits for the reactor)
    assert peer.recv(100) == b"frame oneframe two"
    assert watches.writers == [], "no watch for writability: nothing was left to send"


def test_what_the_kernel_does_not_take_is_buffered_and_sent_in_order(
    pair: tuple[Any, socket.socket, _Watches],
) -> None:
    connection, peer, watches = pair
    big = bytes(range(256)) * 8192  # 2 MB: more than the socket buffers hold
    connection.write(big)
    assert watches.writers == [connection], "the rest waits for writability"
    connection.write(b"after")  # buffered behind the rest, never sent ahead of it

    assert _read_all(peer, len(big) + 5, connection) == big + b"after"
    assert watches.writers == [], "everything sent: the watch is dropped"


def test_a_write_to_a_closed_peer_is_left_to_twisteds_teardown(
    pair: tuple[Any, socket.socket, _Watches],
) -> None:
    connection, peer, watches = pair
    peer.close()
    connection.write(b"lost")  # no exception here: the reactor's write attempt reports it

    assert watches.writers == [connection]
    assert connection.doWrite() is not None, "the buffered write reports the connection lost"
