"""An HTTP API client for tests: django.test.Client with JSON helpers, signed in with a Bearer
token or a browser session (CSRF enforced)."""

from __future__ import annotations

import json
from typing import Any, Literal

from django.test import Client

from opencontractserver.users.models import User
from opencontractserver.users.tokens import issue_token


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user).access}"}


Transport = Literal["bearer", "session"]


class ApiClient:
    """django.test.Client with JSON helpers, signed in with a Bearer token or a browser session.

    A session client enforces CSRF like a browser and sends the token on every request.
    """

    def __init__(self, user: User | None = None, transport: Transport = "bearer") -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.headers: dict[str, str] = {}
        if user is None:
            return
        if transport == "bearer":
            self.headers = bearer(user)
        else:
            self.client.force_login(user)
            self.client.get("/accounts/login/")  # sets the csrftoken cookie
            self.headers = {"X-CSRFToken": self.client.cookies["csrftoken"].value}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self.headers)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(path, headers=self.headers)

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data, headers=self.headers)
