"""`/healthz` (the process is alive) and `/readyz` (it can serve: database, channel layer,
migrations, not shutting down), for compose healthchecks and load balancers.

They are answered by a middleware at the top of the stack, before host validation and the HTTPS
redirect: a healthcheck speaks plain HTTP to the container's own address. Neither says more than
the state of each check (no versions, no hosts), so they are safe to expose.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from config.websocket import shutdown

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
_migrations_applied = False


def _database_and_migrations() -> dict[str, str]:
    """`ok` or what is wrong, for the database and for its migrations."""
    global _migrations_applied
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return {"database": f"unreachable: {type(exc).__name__}", "migrations": "unknown"}
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return {"database": "ok", "migrations": f"{len(plan)} not applied"}
        # Applied migrations stay applied for this process's code: check once.
        _migrations_applied = True
    return {"database": "ok", "migrations": "ok"}


def _channel_layer() -> str:
    if not settings.REDIS_URL:
        return "ok"  # the in-memory layer of a single process
    try:
        # One try: a readiness probe reports, the healthcheck's own retries decide.
        client = Redis.from_url(
            settings.REDIS_URL,
            socket_timeout=2,
            socket_connect_timeout=2,
            retry=Retry(NoBackoff(), 0),
        )
        with client:
            client.ping()
    except Exception as exc:
        return f"unreachable: {type(exc).__name__}"
    return "ok"


def readiness() -> tuple[bool, dict[str, str]]:
    """(ready, the state of each check). Sync: it touches the database."""
    checks = {**_database_and_migrations(), "channel_layer": _channel_layer()}
    checks["process"] = "shutting down" if shutdown.is_draining() else "ok"
    return all(value == "ok" for value in checks.values()), checks


def _ready_response(ready: bool, checks: dict[str, str]) -> HttpResponse:
    if not ready:
        logger.warning("not ready: %s", checks)
    status = "ready" if ready else "not ready"
    response = JsonResponse({"status": status, "checks": checks}, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    # Logged once above, as a warning: not again as a server error by django.request.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _alive_response() -> HttpResponse:
    response = JsonResponse({"status": "alive"})
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answers GET/HEAD on the two health paths; every other request passes through."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self.is_async:
            return self._acall(request)
        if request.method in ("GET", "HEAD") and request.path == HEALTH_PATH:
            return _alive_response()
        if request.method in ("GET", "HEAD") and request.path == READY_PATH:
            return _ready_response(*readiness())
        response: HttpResponse = self.get_response(request)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and request.path == HEALTH_PATH:
            return _alive_response()
        if request.method in ("GET", "HEAD") and request.path == READY_PATH:
            return _ready_response(*await sync_to_async(readiness)())
        response: HttpResponse = await self.get_response(request)
        return response
