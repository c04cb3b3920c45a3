"""Keeps the API's promise that every error is JSON, also for a wrong HTTP method."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse


class JsonMethodNotAllowedMiddleware:
    """Turns django-ninja's plain-text 405 under /api/ into `{code, message}` JSON."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
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
