"""WebSocket authentication (PROTOCOL §2).

A client authenticates with one of
1. `?token=<access token>`,
2. the subprotocol list `["opencontracts.jwt.v1", "<access token>"]`,
3. the Django session cookie, only from an allowed Origin (AllowedHostsOriginValidator): what
   the browser app uses.

A token is not an ambient credential, so token connections need no Origin check (non-browser
clients send none). A connection without a token and without an Origin header is anonymous; one
with an Origin header must come from an allowed host, then its session cookie is used. A bad token
does not fail the handshake: the consumer accepts and closes with 4001 (expired) or 4002 (invalid),
so the client learns why. Both lookups run on the connect lane of the database threads, never on
Channels' one database thread (Channels' own AuthMiddleware would put the session's user lookup
there, behind whatever else waits on it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import jwt
from channels.security.websocket import AllowedHostsOriginValidator
from channels.sessions import SessionMiddlewareStack
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser

from config.websocket.engine.db_pool import run_connect_db
from opencontractserver.users.tokens import TokenError, user_for_token

JWT_SUBPROTOCOL = "opencontracts.jwt.v1"

Scope = dict[str, Any]


def token_from_scope(scope: Scope) -> tuple[str | None, bool]:
    """(token, came_via_subprotocol) from the query string or the subprotocol list."""
    subprotocols = list(scope.get("subprotocols") or [])
    if len(subprotocols) >= 2 and subprotocols[0] == JWT_SUBPROTOCOL:
        return subprotocols[1], True
    query = parse_qs(scope.get("query_string", b"").decode("latin1"))
    tokens = query.get("token")
    if tokens and tokens[0]:
        return tokens[0], False
    return None, False


def token_expiry(token: str) -> float | None:
    """The `exp` claim of a token that was already verified."""
    exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    return float(exp) if exp is not None else None


def _authenticate(token: str) -> tuple[Any, str | None, float | None]:
    """The token's user (on the connect lane of the database threads, not Channels' one)."""
    try:
        user = user_for_token(token)
    except TokenError as exc:
        return AnonymousUser(), exc.problem, None
    return user, None, token_expiry(token)


class _SessionOnly:
    """What `django.contrib.auth.get_user` reads of a request: its session."""

    def __init__(self, session: Any) -> None:
        self.session = session


def _session_user(session: Any) -> Any:
    """The session's user, or AnonymousUser (Django's own check: backend, user, auth hash; a
    session whose hash no longer matches, e.g. after a password change, is flushed)."""
    # get_user reads only `request.session`; the stubs ask for a whole HttpRequest.
    return auth.get_user(_SessionOnly(session))  # type: ignore[arg-type]


class _SessionUserMiddleware:
    """Sets scope["user"] from scope["session"], looked up on the connect lane."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        user = await run_connect_db(_session_user, scope["session"])
        return await self.inner({**scope, "user": user}, receive, send)


def _has_origin(scope: Scope) -> bool:
    return any(name == b"origin" for name, _value in scope.get("headers", []))


class ChatAuthMiddleware:
    """Sets scope["user"], and scope["oc_auth_error"] / ["oc_subprotocol"] /
    ["oc_token_expires_at"] for the consumer."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.session_app = AllowedHostsOriginValidator(
            SessionMiddlewareStack(_SessionUserMiddleware(inner))
        )

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> Any:
        token, via_subprotocol = token_from_scope(scope)
        if token is not None:
            user, problem, expires_at = await run_connect_db(_authenticate, token)
            scope = {
                **scope,
                "user": user,
                "oc_auth_error": problem,
                "oc_token_expires_at": expires_at,
                "oc_subprotocol": JWT_SUBPROTOCOL if via_subprotocol else None,
            }
            return await self.inner(scope, receive, send)
        if _has_origin(scope):
            # A plain dict scope; Channels' stubs want their private _ChannelScope TypedDict.
            return await self.session_app(scope, receive, send)  # type: ignore[arg-type]
        return await self.inner({**scope, "user": AnonymousUser()}, receive, send)
