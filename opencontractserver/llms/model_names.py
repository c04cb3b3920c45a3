"""Checks a pydantic-ai model string offline: is its provider prefix one pydantic-ai knows and
can load here? No provider is built, no key is read and nothing goes over the network."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from pydantic_ai.models import parse_model_id
from pydantic_ai.providers import infer_provider_class

# pydantic-ai's own scripted model; resolves without a provider (handy for demos and tests).
TEST_MODEL_NAME = "test"
EXAMPLES = "openai:gpt-4o-mini, anthropic:claude-sonnet-4-5 or ollama:llama3.1"


def model_name_problem(name: str) -> str | None:
    """Why `name` is not a usable pydantic-ai model string, or None when it is."""
    if name == TEST_MODEL_NAME:
        return None
    provider, model = parse_model_id(name)
    if provider is None:
        return f"'{name}' has no provider prefix; write it as provider:model, e.g. {EXAMPLES}."
    if not model.strip():
        return f"'{name}' names no model after '{provider}:'."
    try:
        infer_provider_class(provider)
    except ValueError:
        return f"'{provider}' is not a provider pydantic-ai knows; use e.g. {EXAMPLES}."
    except ImportError:
        return f"The '{provider}' provider needs a client library that is not installed here."
    return None


def validate_model_name(name: str) -> None:
    """Django field validator: a blank name is fine (it means the OC_LLM_MODEL setting)."""
    if not name.strip():
        return
    problem = model_name_problem(name.strip())
    if problem is not None:
        raise ValidationError(problem, code="invalid_model")
