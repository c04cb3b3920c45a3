"""The nginx configuration compose mounts, run for real in front of two daphne processes sharing
one Redis and the test database, with the production hardening on.

The static files are a tiny build made here (an index naming one hashed asset), not the real
frontend/dist: `make test` runs pytest before it builds the frontend, and what is checked is the
proxy's behaviour for Vite's file layout; the real build is served the same way (e2e tests it
through daphne, compose/Dockerfile copies it into nginx's web root).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.websocket.conftest import token_for
from tests.websocket.scripted_agents import words
from tests.websocket.servers import DaphneServer, RedisServer
from tests.websocket.socket_client import frames_until_end, next_frame, send, streamed_text

from .proxy import CLIENT_ADDRESS, Nginx

pytestmark = pytest.mark.django_db(transaction=True)

ASSET = "assets/index-AbC12_-9.js"
INDEX = (
    "<!doctype html><html><body><main></main>"
    f'<script type="module" src="/static/{ASSET}"></script></body></html>'
)
MAX_UPLOAD = 64 * 1024


@dataclass
class Stack:
    nginx: Nginx
    a: DaphneServer
    b: DaphneServer

    def access_log(self) -> list[dict[str, Any]]:
        lines = self.nginx.log.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def access_log_line(self, uri: str, timeout: float = 5.0) -> dict[str, Any]:
        """The last access log line for `uri`; nginx writes it just after sending the response,
        so a client that read the response can get there first: wait for it."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [entry for entry in self.access_log() if entry["uri"] == uri]
            if lines or time.monotonic() > deadline:
                return lines[-1]
            time.sleep(0.02)

    def app_log(self) -> str:
        return self.a.log.read_text() + self.b.log.read_text()


@pytest.fixture(scope="module")
def stack(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    work = Path(tmp_path_factory.mktemp("proxy"))
    dist = work / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / ASSET).write_text("console.log('the app');\n")
    web_root = work / "web"
    shutil.copytree(dist, web_root / "static")  # what collectstatic puts in the image
    redis = RedisServer(work).start()
    nginx = Nginx(work, [], web_root, MAX_UPLOAD)
    env = {
        "OC_FRONTEND_DIST": str(dist),
        "OC_MAX_UPLOAD_BYTES": str(MAX_UPLOAD),
        "MEDIA_ROOT": str(work / "media"),
        "OC_SSL_REDIRECT": "1",
        "OC_SECURE_COOKIES": "1",
        "OC_HSTS_SECONDS": "3600",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": nginx.origin,
        "LOG_FORMAT": "json",
    }
    a = DaphneServer(work, redis.url, "a", env=env, daphne_args=("--proxy-headers",))
    b = DaphneServer(work, redis.url, "b", env=env, daphne_args=("--proxy-headers",))
    try:
        a.start()
        b.start()
        nginx.upstreams = [a.port, b.port]
        nginx.start()
        yield Stack(nginx, a, b)
    finally:
        nginx.stop()
        a.stop()
        b.stop()
        redis.stop()


def test_the_frontend_index_and_its_hashed_assets_have_the_right_cache_headers(
    stack: Stack,
) -> None:
    index, body = stack.nginx.request("GET", "/corpora/3")
    assert index.status == 200 and body.decode() == INDEX
    assert index.getheader("Cache-Control") == "no-cache"
    assert "Secure" in index.getheader("Set-Cookie", "")  # the CSRF cookie, HTTPS only
    asset, content = stack.nginx.request("GET", f"/static/{ASSET}")
    assert asset.status == 200 and b"the app" in content
    assert asset.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    # nginx served the asset from disk: no upstream in its access log line.
    line = stack.access_log_line(f"/static/{ASSET}")
    assert line["upstream"] == "" and line["status"] == 200
    missing, _ = stack.nginx.request("GET", "/static/assets/nope-12345678.js")
    assert missing.status == 404


def test_the_api_admin_and_health_endpoints_answer_through_the_proxy(
    stack: Stack, owner: User
) -> None:
    me, body = stack.nginx.request("GET", "/api/me")
    # 401, not a redirect to HTTPS: Django knows the request came over HTTPS (X-Forwarded-Proto).
    assert me.status == 401 and json.loads(body)["code"] == "not_authenticated"
    assert me.getheader("Strict-Transport-Security") == "max-age=3600; includeSubDomains; preload"
    token, body = stack.nginx.request(
        "POST",
        "/api/auth/token",
        body=json.dumps({"username": "owner", "password": "owner-pass"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert token.status == 200 and json.loads(body)["access"]
    admin, page = stack.nginx.request("GET", "/admin/login/")
    assert admin.status == 200 and b"Django administration" in page
    ready, body = stack.nginx.request("GET", "/readyz")
    assert ready.status == 200 and json.loads(body)["status"] == "ready"
    plain, _ = stack.nginx.request("GET", "/api/me", https=False)
    assert plain.status == 301
    assert plain.getheader("Location") == "https://127.0.0.1/api/me"
    unknown, _ = stack.nginx.request("GET", "/wp-login.php")
    assert unknown.status == 404


def test_a_browser_login_passes_csrf_with_the_forwarded_scheme_and_host(
    stack: Stack, owner: User
) -> None:
    page, _ = stack.nginx.request("GET", "/accounts/login/")
    cookie = page.getheader("Set-Cookie", "")
    csrf = cookie.split("csrftoken=")[1].split(";")[0]
    form = f"username=owner&password=owner-pass&csrfmiddlewaretoken={quote(csrf)}"
    login, _ = stack.nginx.request(
        "POST",
        "/accounts/login/",
        body=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Origin": stack.nginx.origin,
            "Referer": f"{stack.nginx.origin}/accounts/login/",
        },
    )
    assert login.status == 302, login.getheader("Location")
    session = login.getheader("Set-Cookie", "")
    assert "sessionid=" in session and "HttpOnly" in session and "Secure" in session


def test_the_client_address_reaches_django_and_cannot_be_forged(stack: Stack) -> None:
    marker = f"/api/documents/{uuid.uuid4().int % 10**9}"
    stack.nginx.request("GET", marker, headers={"X-Forwarded-For": "203.0.113.9"})
    # daphne's access log line (the JSON lines are the application's own log).
    lines = [line for line in stack.app_log().splitlines() if marker in line]
    access = [line for line in lines if not line.startswith("{")]
    assert access and all(line.startswith(f"{CLIENT_ADDRESS}:") for line in access), lines
    assert "203.0.113.9" not in stack.app_log()


def test_an_upload_over_the_limit_gets_nginx_413_and_one_at_the_limit_passes(
    stack: Stack, owner: User
) -> None:
    auth = {"Authorization": f"Bearer {token_for(owner)}"}

    def upload(size: int) -> tuple[Any, bytes]:
        boundary = "oc-boundary"
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\n".encode()
            + b"x" * size
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        return stack.nginx.request("POST", "/api/documents", body=body, headers=headers)

    accepted, body = upload(MAX_UPLOAD)
    assert accepted.status == 201, body
    # Ingestion runs on a thread inside daphne: wait for it to settle, so the flush after this
    # test never races its writes (a TRUNCATE beside a live ingestion transaction deadlocks).
    assert _ingested(stack, json.loads(body)["id"], auth) == "ready"
    refused, body = upload(MAX_UPLOAD + 2 * 1024 * 1024)
    assert refused.status == 413
    assert json.loads(body)["code"] == "file_too_large"
    line = _logged(stack, lambda entry: entry["status"] == 413)[-1]
    assert line["upstream"] == ""  # refused by nginx, never sent to daphne


async def test_a_chat_turn_streams_through_nginx_and_a_socket_on_the_other_process_sees_it(
    stack: Stack, owner: User, private_document: Document
) -> None:
    base = f"wss://127.0.0.1:{stack.nginx.https_port}/ws/document/{private_document.pk}/query/"
    url = f"{base}?token={token_for(owner)}"
    tls = stack.nginx.tls_context()
    first = await connect(url, ssl=tls, open_timeout=10)
    assert (await next_frame(first))["type"] == "SYNC_STATE"
    await send(first, {"query": "warm up"})
    conversation = (await frames_until_end(first))[0]["data"]["conversation_id"]
    # nginx alternates between its two upstreams: the next socket lands on the other process.
    second = await connect(
        f"{url}&load_from_conversation_id={conversation}", ssl=tls, open_timeout=10
    )
    assert (await next_frame(second))["data"]["conversation_id"] == conversation
    await send(first, {"query": json.dumps({"words": 40, "delay": 0.005})})
    seen_first, seen_second = await asyncio.gather(
        frames_until_end(first), frames_until_end(second)
    )
    assert seen_first == seen_second
    assert streamed_text(seen_second) == seen_second[-1]["content"] == words(40)
    await first.close()
    await second.close()
    # nginx logs a WebSocket request when it closes.
    sockets = _logged(stack, lambda entry: entry["uri"].startswith("/ws/"), count=2)
    assert len({entry["upstream"] for entry in sockets[-2:]}) == 2
    # Chat log lines are JSON events carrying the session and message ids.
    events = [json.loads(line) for line in stack.app_log().splitlines() if line.startswith("{")]
    started = [event for event in events if "turn started" in event["message"]]
    assert started and all(event["session"] and event["message_id"] for event in started)
    assert all(f"session={event['session']}" in event["message"] for event in started)


def _ingested(stack: Stack, document_id: int, headers: dict[str, str]) -> str:
    """The document's status once ingestion has finished with it (`ready` or `failed`)."""
    deadline = time.monotonic() + 60
    while True:
        _, body = stack.nginx.request("GET", f"/api/documents/{document_id}", headers=headers)
        status = str(json.loads(body)["status"])
        if status != "pending" or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def _logged(
    stack: Stack, matches: Callable[[dict[str, Any]], bool], count: int = 1
) -> list[dict[str, Any]]:
    """nginx's access log lines that match, once it has written `count` of them (it writes a
    line when a request ends, which may be after the client has its response)."""
    deadline = time.monotonic() + 10
    while True:
        lines = [entry for entry in stack.access_log() if matches(entry)]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


async def test_a_session_socket_from_a_foreign_origin_is_refused_through_the_proxy(
    stack: Stack, private_document: Document
) -> None:
    url = f"wss://127.0.0.1:{stack.nginx.https_port}/ws/document/{private_document.pk}/query/"
    with pytest.raises(InvalidStatus) as refused:
        await connect(
            url,
            ssl=stack.nginx.tls_context(),
            origin=Origin("https://evil.example"),
            open_timeout=10,
        )
    assert refused.value.response.status_code == 403
