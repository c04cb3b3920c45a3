"""Plain HTTP calls to a daphne subprocess (stdlib only), returning the status and the body."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


def call(
    base_url: str, path: str, *, token: str = "", body: dict[str, Any] | None = None
) -> tuple[int, str]:
    request = urllib.request.Request(
        base_url + path,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"} if body is not None else {},
        method="POST" if body is not None else "GET",
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
