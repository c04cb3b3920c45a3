"""Turn usage: tokens always, cost only where every response's price is known."""

from __future__ import annotations

from pydantic_ai.messages import ModelRequest, ModelResponse, TextPart, UserPromptPart
from pydantic_ai.usage import RequestUsage, RunUsage

from opencontractserver.llms.agents.usage import responses_cost, turn_usage


def response(model_name: str, provider_url: str | None = None) -> ModelResponse:
    return ModelResponse(
        parts=[TextPart("x")],
        usage=RequestUsage(input_tokens=1_000_000, output_tokens=1_000_000),
        model_name=model_name,
        provider_name="openai",
        provider_url=provider_url,
    )


def test_cost_is_summed_over_priced_responses() -> None:
    question = ModelRequest(parts=[UserPromptPart("q")])
    one = responses_cost([question, response("gpt-4o-mini")])
    two = responses_cost([question, response("gpt-4o-mini"), response("gpt-4o-mini")])
    assert one is not None and one > 0
    assert two == 2 * one


def test_cost_is_unknown_when_any_price_is_unknown() -> None:
    unknown = response("stub-model", "http://127.0.0.1:9/v1")
    assert responses_cost([response("gpt-4o-mini"), unknown]) is None


def test_turn_usage_counts_tokens() -> None:
    usage = turn_usage(RunUsage(requests=2, input_tokens=30, output_tokens=12), 0.5)
    assert (usage.requests, usage.total_tokens, usage.cost_usd) == (2, 42, 0.5)
