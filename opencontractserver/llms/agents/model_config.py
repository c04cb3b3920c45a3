"""Which model answers: OC_LLM_MODEL (any pydantic-ai model string), optionally served by an
OpenAI-compatible server at OC_LLM_BASE_URL, or the built-in offline extractive model."""

from __future__ import annotations

from django.conf import settings
from openai import AsyncOpenAI
from pydantic_ai.models import Model, infer_model
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from .offline import OFFLINE_LABEL, offline_model


def configured_model_label() -> str:
    """What SYNC_STATE.model shows."""
    name = settings.OC_LLM_MODEL.strip()
    if not name:
        return OFFLINE_LABEL
    if settings.OC_LLM_BASE_URL:
        return f"{_bare_name(name)} at {settings.OC_LLM_BASE_URL}"
    return name


def configured_model() -> Model:
    """The model for a turn. Raises pydantic-ai's UserError when a provider lacks its key."""
    name = settings.OC_LLM_MODEL.strip()
    if not name:
        return offline_model()
    if settings.OC_LLM_BASE_URL:
        client = AsyncOpenAI(
            base_url=settings.OC_LLM_BASE_URL,
            api_key=settings.OC_LLM_API_KEY or "not-needed",
            max_retries=settings.OC_LLM_MAX_RETRIES,
        )
        return OpenAIChatModel(_bare_name(name), provider=OpenAIProvider(openai_client=client))
    return infer_model(name)


def _bare_name(name: str) -> str:
    return name.split(":", 1)[1] if name.startswith("openai:") else name
