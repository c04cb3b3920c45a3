"""Token usage and, where the provider's prices are known, cost of a turn."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.usage import RunUsage

from opencontractserver.conversations.message_data import Usage


def responses_cost(messages: Iterable[ModelMessage]) -> float | None:
    """Total USD cost of the model responses, or None if any response's price is unknown."""
    total = 0.0
    for message in messages:
        if not isinstance(message, ModelResponse):
            continue
        try:
            total += float(message.cost().total_price)
        except (LookupError, ValueError, AssertionError, TypeError):
            return None
    return total


def turn_usage(usage: RunUsage, cost_usd: float | None) -> Usage:
    return Usage(
        requests=usage.requests,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        total_tokens=usage.input_tokens + usage.output_tokens,
        cost_usd=cost_usd,
    )
