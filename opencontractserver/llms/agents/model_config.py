"""Which model answers: OC_LLM_MODEL (any pydantic-ai model string), optionally served by an
OpenAI-compatible server at OC_LLM_BASE_URL, or the built-in offline extractive model.

A corpus may override the setting with its own `llm_model`, for chats about the corpus and about
documents held inside it. An override is a plain pydantic-ai model string with its provider's
usual keys; an `openai:` override goes to OC_LLM_BASE_URL when that is set (the same
OpenAI-compatible server, another model).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from openai import AsyncOpenAI
from pydantic_ai.models import Model, infer_model
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.profiles.openai import OpenAIModelProfile
from pydantic_ai.providers.openai import OpenAIProvider

from .offline import OFFLINE_LABEL, offline_model

if TYPE_CHECKING:
    from opencontractserver.corpuses.models import Corpus


@dataclass(frozen=True)
class ModelChoice:
    """A model string ("" = offline) and whether OC_LLM_BASE_URL serves it."""

    name: str
    via_base_url: bool

    @property
    def label(self) -> str:
        """What SYNC_STATE.model shows."""
        if not self.name:
            return OFFLINE_LABEL
        if self.via_base_url:
            return f"{_bare_name(self.name)} at {settings.OC_LLM_BASE_URL}"
        return self.name

    def build(self) -> Model:
        """The model for a turn. Raises pydantic-ai's UserError when a provider lacks its key."""
        if not self.name:
            return offline_model()
        if self.via_base_url:
            client = AsyncOpenAI(
                base_url=settings.OC_LLM_BASE_URL,
                api_key=settings.OC_LLM_API_KEY or "not-needed",
                max_retries=settings.OC_LLM_MAX_RETRIES,
            )
            return OpenAIChatModel(
                _bare_name(self.name),
                provider=OpenAIProvider(openai_client=client),
                # Without this, a stream that breaks off cleanly counts as a finished answer.
                profile=OpenAIModelProfile(
                    openai_chat_streaming_requires_finish_reason=(
                        settings.OC_LLM_REQUIRE_FINISH_REASON
                    )
                ),
            )
        return infer_model(self.name)


def configured_choice() -> ModelChoice:
    """The OC_LLM_MODEL setting (with OC_LLM_BASE_URL, any name is served by that server)."""
    return ModelChoice(settings.OC_LLM_MODEL.strip(), via_base_url=bool(settings.OC_LLM_BASE_URL))


def choice_for(corpus: Corpus | None) -> ModelChoice:
    """The corpus's own model when it names one, else the setting."""
    override = corpus.llm_model.strip() if corpus is not None else ""
    if not override:
        return configured_choice()
    return ModelChoice(
        override, via_base_url=bool(settings.OC_LLM_BASE_URL) and override.startswith("openai:")
    )


def configured_model_label() -> str:
    return configured_choice().label


def configured_model() -> Model:
    return configured_choice().build()


def _bare_name(name: str) -> str:
    return name.split(":", 1)[1] if name.startswith("openai:") else name
