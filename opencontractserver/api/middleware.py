"""Keeps the API's promise that every error is JSON, also for a wrong HTTP method; refuses
oversize uploads before their body is read."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.deprecation import MiddlewareMixin

from opencontractserver.api.errors import describe_error, error_response
from opencontractserver.documents.services import UploadRejected, check_upload_request_size


class JsonMethodNotAllowedMiddleware(MiddlewareMixin):
    """Turns django-ninja's plain-text 405 under /api/ into `{code, message}` JSON.

    A `MiddlewareMixin` hook, so it serves async views without moving them onto a thread (as
    every middleware of the stack must: one sync-only middleware runs the whole chain, async
    views included, on the thread that sync views and `database_sync_to_async` share)."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code != 405 or not request.path.startswith("/api/"):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        allowed = response.get("Allow", "")
        json_response = JsonResponse(
            {
                "code": "method_not_allowed",
                "message": f"{request.method} is not allowed on {request.path}; use {allowed}.",
            },
            status=405,
        )
        json_response["Allow"] = allowed
        return json_response


class EarlyUploadSizeMiddleware(MiddlewareMixin):
    """Refuses an upload whose Content-Length is over the limit with the API's 413 before the
    body is read or stored (a chunked upload, with no length, is still checked once its file is
    in). Django's own body limits (DATA_UPLOAD_MAX_*) are answered as JSON by the API's error
    handlers (errors.BODY_LIMITS). Place it early, before anything that may read `request.POST`.
    A `MiddlewareMixin` hook: async views stay async behind it.
    """

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        rejection = upload_rejection(
            request.method or "", request.path, request.META.get("CONTENT_LENGTH")
        )
        if rejection is not None:
            return error_response(rejection)
        return None


def upload_rejection(method: str, path: str, content_length: str | None) -> UploadRejected | None:
    """Why an upload request must be refused from its declared length alone, if it must."""
    if method != "POST" or path != reverse("api:upload_document"):
        return None
    try:
        declared = int(content_length or 0)
    except ValueError:
        return None
    try:
        check_upload_request_size(declared)
    except UploadRejected as exc:
        return exc
    return None


# The shapes Django's ASGIHandler takes.
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class EarlyUploadSizeGuard:
    """The same refusal in front of Django's ASGI handler, which otherwise reads (spools) the
    whole body before any Django middleware runs: an oversize upload is answered unread."""

    def __init__(self, app: AsgiApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            length = headers.get(b"content-length")
            rejection = upload_rejection(
                scope.get("method", ""),
                scope.get("path", ""),
                length.decode("latin-1") if length is not None else None,
            )
            if rejection is not None:
                await _send_error(send, rejection)
                return
        await self.app(scope, receive, send)


async def _send_error(send: Send, exc: UploadRejected) -> None:
    status, code, message = describe_error(exc)
    body = json.dumps({"code": code, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
