"""Stable error codes for failed runs (the `error_code` of ASYNC_ERROR; the closed set is
`AgentErrorCode` in conversations/message_data.py)."""

from __future__ import annotations

import asyncio
import logging

from pydantic_ai.exceptions import (
    ContentFilterError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelContextWindowExceededError,
    ModelHTTPError,
    ModelQuotaExceededError,
    ModelRateLimitError,
    ModelRequestTimeout,
    ModelTimeoutError,
    RunTimedOut,
    UnexpectedModelBehavior,
    UsageLimitExceeded,
    UserError,
)

from opencontractserver.conversations.message_data import AgentErrorCode

from .events import RunFailed

logger = logging.getLogger(__name__)

PROVIDER_ERROR: AgentErrorCode = "provider_error"
PROVIDER_TIMEOUT: AgentErrorCode = "provider_timeout"
PROVIDER_RATE_LIMITED: AgentErrorCode = "provider_rate_limited"
PROVIDER_AUTH: AgentErrorCode = "provider_auth"
PROVIDER_CONFIG: AgentErrorCode = "provider_config"
CONTEXT_TOO_LONG: AgentErrorCode = "context_too_long"
CONTENT_FILTERED: AgentErrorCode = "content_filtered"
USAGE_LIMIT: AgentErrorCode = "usage_limit"
APPROVAL_MISMATCH: AgentErrorCode = "approval_mismatch"
AGENT_ERROR: AgentErrorCode = "agent_error"

# pydantic-ai's message for a stream that ended without a finish reason (the model's profile
# sets openai_chat_streaming_requires_finish_reason, llms/agents/model_config.py).
_CUT_STREAM = "ended without a `finish_reason`"


def turn_failure(exc: Exception) -> RunFailed:
    """The RunFailed event for an exception that ended a run (messages never leak secrets)."""
    if isinstance(
        exc, RunTimedOut | ModelTimeoutError | ModelRequestTimeout | asyncio.TimeoutError
    ):
        return RunFailed("The model took too long to answer.", PROVIDER_TIMEOUT)
    if isinstance(exc, UsageLimitExceeded):
        return RunFailed("This answer hit the usage limit for one turn.", USAGE_LIMIT)
    if isinstance(exc, ModelRateLimitError | ModelQuotaExceededError):
        return RunFailed(
            "The model provider is rate limiting us; try again soon.", PROVIDER_RATE_LIMITED
        )
    if isinstance(exc, ModelAuthenticationError):
        return RunFailed("The model provider rejected our credentials.", PROVIDER_AUTH)
    if isinstance(exc, ModelContextWindowExceededError):
        return RunFailed("The conversation is too long for the model.", CONTEXT_TOO_LONG)
    if isinstance(exc, ContentFilterError):
        return RunFailed("The model provider filtered this answer.", CONTENT_FILTERED)
    if isinstance(exc, ModelHTTPError):
        return RunFailed(f"The model provider failed (HTTP {exc.status_code}).", PROVIDER_ERROR)
    if isinstance(exc, ModelAPIError) and _CUT_STREAM in str(exc):
        return RunFailed(
            "The model provider's answer was cut off before it finished; "
            "the text that arrived is kept.",
            PROVIDER_ERROR,
        )
    if isinstance(exc, ModelAPIError | UnexpectedModelBehavior):
        return RunFailed("The model provider failed to answer.", PROVIDER_ERROR)
    if isinstance(exc, UserError):
        logger.exception("Agent misconfigured")
        return RunFailed("The model is not configured correctly.", PROVIDER_CONFIG)
    logger.exception("Agent turn failed")
    return RunFailed("The assistant failed while answering.", AGENT_ERROR)
