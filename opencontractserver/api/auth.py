"""How the API knows who is calling: a Bearer access token or the Django session.

- `Authorization: Bearer <jwt>`: an expired token is refused with 401 `token_expired`, anything
  else that is not a valid token with 401 `token_invalid` (no fall-back to the session).
- The session cookie of a logged-in browser: unsafe methods must carry the CSRF token.
- `AUTH_OPTIONAL` adds an anonymous caller for endpoints that serve public objects.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from opencontractserver.api.errors import ApiError
from opencontractserver.users.models import User
from opencontractserver.users.tokens import TokenError, user_for_token


class BearerToken(HttpBearer):
    """`Authorization: Bearer <access token>` from POST /api/auth/token or `issue_token`."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        try:
            return user_for_token(token)
        except TokenError as exc:
            if exc.problem == "expired":
                raise ApiError(401, "token_expired", str(exc)) from exc
            raise ApiError(401, "token_invalid", str(exc)) from exc


class SessionCookie(SessionAuth):
    """The browser's Django session; unsafe methods need the CSRF token (X-CSRFToken header)."""

    def __call__(self, request: HttpRequest) -> User | None:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        require_csrf(request)
        return user


def require_csrf(request: HttpRequest) -> None:
    """Refuse a browser request whose X-CSRFToken header does not match its csrftoken cookie."""
    if check_csrf(request) is not None:
        raise ApiError(
            403,
            "csrf_failed",
            "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header.",
        )


def anonymous_caller(request: HttpRequest) -> AnonymousUser:
    """The last resort of `AUTH_OPTIONAL`: an anonymous caller who may read public objects."""
    return AnonymousUser()


AUTH_REQUIRED = [BearerToken(), SessionCookie()]
AUTH_OPTIONAL = [*AUTH_REQUIRED, anonymous_caller]


def caller(request: HttpRequest) -> User | AnonymousUser:
    """The user an endpoint runs for (anonymous on AUTH_OPTIONAL endpoints)."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, User) else AnonymousUser()


def signed_in_caller(request: HttpRequest) -> User:
    """The user of an AUTH_REQUIRED endpoint."""
    auth = getattr(request, "auth", None)
    if not isinstance(auth, User):
        raise ApiError(401, "not_authenticated", "Authentication required.")
    return auth
