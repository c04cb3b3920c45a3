"""AUTH frames: a signed-in socket swaps its access token for a fresh one of the same user."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from config.websocket.engine.db_pool import run_connect_db
from config.websocket.middleware import token_expiry
from config.websocket.protocol import SyncContentData
from opencontractserver.conversations.chat_refusal import ChatRefusal, ChatRefusalCode
from opencontractserver.users.tokens import TokenError, TokenProblem, user_for_token

_TOKEN_REFUSALS: dict[TokenProblem, ChatRefusalCode] = {
    "expired": "token_expired",
    "invalid": "token_invalid",
}


@dataclass(frozen=True)
class SwappedToken:
    """The new token's expiry, and the SYNC_CONTENT that tells the client."""

    expires_at: float | None
    sync_content: SyncContentData


async def swap_token(user: Any, token: str) -> SwappedToken | ChatRefusal:
    """The swap, or why not: the token is bad, or it is another user's (reconnect to switch)."""
    try:
        token_user = await run_connect_db(user_for_token, token)
    except TokenError as exc:
        return ChatRefusal(_TOKEN_REFUSALS[exc.problem], str(exc))
    if not user.is_authenticated or token_user.pk != user.pk:
        return ChatRefusal(
            "token_user_mismatch", "The token is for another user; reconnect to switch users."
        )
    expires_at = token_expiry(token)
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_at)) if expires_at else None
    return SwappedToken(expires_at, SyncContentData(token_expires_at=expires))
