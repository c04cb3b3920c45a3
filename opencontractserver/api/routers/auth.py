"""Tokens and the current user."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router

from opencontractserver.api.auth import signed_in_caller
from opencontractserver.api.errors import ApiError
from opencontractserver.api.schemas import ErrorOut, TokenIn, TokenOut, UserOut
from opencontractserver.users.models import User
from opencontractserver.users.tokens import IssuedToken, issue_token

router = Router(tags=["auth"])


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 422: ErrorOut})
def create_token(request: HttpRequest, credentials: TokenIn) -> IssuedToken:
    """Exchange a username and password for a signed access token (JWT)."""
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if not isinstance(user, User):
        raise ApiError(401, "invalid_credentials", "The username or password is wrong.")
    return issue_token(user)


@router.get("/me", response={200: UserOut, 401: ErrorOut})
def me(request: HttpRequest) -> User:
    """The user the request is authenticated as."""
    return signed_in_caller(request)
