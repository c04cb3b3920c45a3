"""Tokens, the browser session (sign in / sign out) and the current user."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest
from ninja import Router, Status

from opencontractserver.api.auth import AUTH_OPTIONAL, caller, require_csrf, signed_in_caller
from opencontractserver.api.errors import ApiError
from opencontractserver.api.schemas import (
    DemoLoginOut,
    ErrorOut,
    SessionOut,
    TokenIn,
    TokenOut,
    UserOut,
)
from opencontractserver.users.models import User
from opencontractserver.users.tokens import IssuedToken, issue_token

router = Router(tags=["auth"])


def _checked_user(request: HttpRequest, credentials: TokenIn) -> User:
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if not isinstance(user, User):
        raise ApiError(401, "invalid_credentials", "The username or password is wrong.")
    return user


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 422: ErrorOut})
def create_token(request: HttpRequest, credentials: TokenIn) -> IssuedToken:
    """Exchange a username and password for a signed access token (JWT)."""
    return issue_token(_checked_user(request, credentials))


def _session_out(user: object) -> SessionOut:
    demo = None
    if settings.DEBUG:
        demo = DemoLoginOut(username=settings.OC_DEMO_USERNAME, password=settings.OC_DEMO_PASSWORD)
    return SessionOut(
        user=UserOut.model_validate(user) if isinstance(user, User) else None, demo_login=demo
    )


@router.get("/auth/session", auth=AUTH_OPTIONAL, response={200: SessionOut, 401: ErrorOut})
def get_session(request: HttpRequest) -> SessionOut:
    """Who the browser is signed in as (`user` is null when nobody is), and, with DEBUG on only,
    the demo login to show on the sign-in page."""
    return _session_out(caller(request))


@router.post(
    "/auth/session",
    auth=None,
    response={200: SessionOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
)
def sign_in(request: HttpRequest, credentials: TokenIn) -> SessionOut:
    """Sign the browser in with a username and password (a Django session; CSRF header needed)."""
    require_csrf(request)
    user = _checked_user(request, credentials)
    login(request, user)
    return _session_out(user)


@router.delete("/auth/session", auth=None, response={204: None, 403: ErrorOut})
def sign_out(request: HttpRequest) -> Status[None]:
    """End the browser's session (signing out twice is not an error; CSRF header needed)."""
    require_csrf(request)
    logout(request)
    return Status(204, None)


@router.get("/me", response={200: UserOut, 401: ErrorOut})
def me(request: HttpRequest) -> User:
    """The user the request is authenticated as."""
    return signed_in_caller(request)
