"""Graceful shutdown of a daphne process (SIGTERM from `docker compose stop`, a rolling restart).

On SIGTERM Twisted stops the reactor, and its "before shutdown" triggers may delay that. The one
installed here, before daphne's own (which cancels every application instance):
1. stops listening, so the proxy sends new connections to the other replicas (nginx moves on to the
   next upstream on a refused connection) and `/readyz` answers 503;
2. closes this process's chat sockets with 4503 (the server restarts; like HTTP 503, and not the
   standard 1012, which autobahn does not let an application send): clients reconnect through the
   proxy to another replica and follow their turns there, through Redis, with RESUME_STREAM;
3. lets the turns running here finish for up to OC_SHUTDOWN_GRACE_SECONDS; their frames reach the
   other replicas' sockets through the conversation groups;
4. ends the turns still running as `error` / `interrupted`, keeping the text streamed so far, and
   settles anything left `in_progress` under this process's owner key; then daphne exits.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import weakref
from typing import Any, Protocol

from channels.db import database_sync_to_async
from django.conf import settings
from twisted.internet import defer
from twisted.internet.interfaces import IListeningPort

from opencontractserver.conversations.ownership import release_process_owner_key
from opencontractserver.conversations.turn_store import settle_interrupted_turns

from .engine import launch

logger = logging.getLogger(__name__)

CLOSE_SERVER_RESTARTING = 4503
# After the grace period: how long interrupted turns get to save their partial answers.
INTERRUPT_SAVE_SECONDS = 5.0


class ShutdownClosable(Protocol):
    async def close_for_shutdown(self) -> None:
        """Close the socket with CLOSE_SERVER_RESTARTING."""


_draining = False
_sockets: weakref.WeakSet[Any] = weakref.WeakSet()


def is_draining() -> bool:
    """True once this process has begun shutting down."""
    return _draining


def track_socket(socket: ShutdownClosable) -> bool:
    """Remember an open chat socket so shutdown can close it; False when already shutting down
    (the caller closes it at once)."""
    if _draining:
        return False
    _sockets.add(socket)
    return True


async def drain(grace_seconds: float) -> None:
    """Steps 2-4 of the module docstring: sockets closed, turns finished or interrupted."""
    global _draining
    _draining = True
    sockets = list(_sockets)
    logger.info(
        "shutting down: closing %s socket(s), %s turn(s) running, grace %ss",
        len(sockets),
        len(launch.running_turns()),
        grace_seconds,
    )
    for socket in sockets:
        try:
            await socket.close_for_shutdown()
        except Exception:
            logger.exception("could not close a socket for the shutdown")
    running = launch.running_turns()
    if running:
        await asyncio.wait(set(running), timeout=grace_seconds)
    left = {task: runner for task, runner in launch.running_turns().items() if not task.done()}
    for runner in left.values():
        runner.log.warning(runner.target.message_id, "grace period over: interrupting the turn")
        runner.interrupt()
    if left:
        await asyncio.wait(set(left), timeout=INTERRUPT_SAVE_SECONDS)
    for task in left:
        task.cancel()  # whatever is left is past its final write (e.g. titling a conversation)
    await database_sync_to_async(_settle_own_turns)()
    logger.info("shutdown complete: %s turn(s) had to be interrupted", len(left))


def _settle_own_turns() -> None:
    """Anything still `in_progress` under this process's key ends interrupted, not spinning."""
    release_process_owner_key()
    settle_interrupted_turns()


def _stop_listening(reactor: Any) -> None:
    for reader in list(reactor.getReaders()):
        if IListeningPort.providedBy(reader):
            reader.stopListening()


def _on_reactor_shutdown() -> Any:
    """Twisted "before shutdown" trigger: returns a Deferred the reactor waits for."""
    global _draining
    _draining = True
    # The running reactor, looked up rather than imported: importing twisted.internet.reactor
    # would install a default reactor where daphne has not installed one.
    _stop_listening(sys.modules["twisted.internet.reactor"])
    future = asyncio.ensure_future(drain(settings.OC_SHUTDOWN_GRACE_SECONDS))
    return defer.Deferred.fromFuture(future)


def install_graceful_shutdown() -> bool:
    """Called at import of the ASGI application (config/asgi.py): under daphne, whose server module
    has installed Twisted's asyncio reactor by then, register the shutdown trigger. Elsewhere (the
    test suite's in-process app) nothing happens."""
    if "daphne.server" not in sys.modules or "twisted.internet.reactor" not in sys.modules:
        return False
    reactor: Any = sys.modules["twisted.internet.reactor"]
    reactor.addSystemEventTrigger("before", "shutdown", _on_reactor_shutdown)
    return True
