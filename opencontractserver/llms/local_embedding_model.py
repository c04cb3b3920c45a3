"""The part of pydantic-ai's `EmbeddingModel` that every in-process embedder shares: `embed` is
`vectors()` of the prepared texts, with no request usage and no input limit."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence

from pydantic_ai.embeddings import EmbeddingModel, EmbeddingResult, EmbeddingSettings
from pydantic_ai.embeddings.result import EmbedInputType
from pydantic_ai.usage import RequestUsage


class LocalEmbeddingModel(EmbeddingModel):
    """An embedding model computed in this process (no provider, nothing to pay or wait for)."""

    @abstractmethod
    def vectors(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text."""

    async def embed(
        self,
        inputs: str | Sequence[str],
        *,
        input_type: EmbedInputType,
        settings: EmbeddingSettings | None = None,
    ) -> EmbeddingResult:
        texts, _ = self.prepare_embed(inputs, settings)
        return EmbeddingResult(
            embeddings=self.vectors(texts),
            inputs=texts,
            input_type=input_type,
            model_name=self.model_name,
            provider_name=self.system,
            usage=RequestUsage(),
        )

    async def max_input_tokens(self) -> int | None:
        return None
