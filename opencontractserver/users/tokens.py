"""Signed access tokens (JWT, HS256) for the HTTP API and the WebSockets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt
from django.conf import settings

from .models import User

TokenProblem = Literal["expired", "invalid"]


@dataclass(frozen=True)
class IssuedToken:
    access: str
    expires_at: datetime


class TokenError(Exception):
    """A token that cannot be used; `problem` says whether it expired or is invalid."""

    def __init__(self, problem: TokenProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


def issue_token(user: User, ttl_seconds: int | None = None) -> IssuedToken:
    ttl = settings.OC_TOKEN_TTL_SECONDS if ttl_seconds is None else ttl_seconds
    now = datetime.now(UTC)
    expires_at = now + timedelta(seconds=ttl)
    payload = {
        "sub": str(user.pk),
        "username": user.get_username(),
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        "typ": "access",
    }
    access = jwt.encode(payload, settings.SECRET_KEY, algorithm=settings.OC_TOKEN_ALGORITHM)
    return IssuedToken(access=access, expires_at=expires_at.replace(microsecond=0))


def user_for_token(token: str) -> User:
    """The active user a token was issued to; raises TokenError when it cannot be used."""
    try:
        payload = jwt.decode(
            token,
            settings.SECRET_KEY,
            algorithms=[settings.OC_TOKEN_ALGORITHM],
            options={"require": ["exp", "sub"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("expired", "The access token has expired.") from exc
    except jwt.PyJWTError as exc:
        raise TokenError("invalid", "The access token is invalid.") from exc
    if payload.get("typ") != "access":
        raise TokenError("invalid", "The access token is invalid.")
    user = User.objects.filter(pk=payload["sub"], is_active=True).first()
    if user is None:
        raise TokenError("invalid", "The access token is invalid.")
    return user
