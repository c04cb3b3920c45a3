"""WordLlama: a static (token-lookup) embedding model whose weights ship inside its wheel.

`OC_EMBEDDER=wordllama`, the default (a main dependency: about 33 MB of package plus numpy,
tokenizers and safetensors; no torch). Its 256-dimension "l2_supercat" weights and its tokenizer
are files of the `wordllama` package itself, loaded from there with downloads disabled, so nothing
is fetched at run time. A text's vector is the (weighted) average of its tokens' vectors, so it is
as fast as a table look-up (~1 800 passages/s on one core) and knows word meaning learned from a
large model's token embeddings (lift ~ elevator), though not word order.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic_ai.embeddings import EmbeddingSettings

from .local_embedding_model import LocalEmbeddingModel

WORDLLAMA_SETTING = "wordllama"
WORDLLAMA_DIMENSIONS = 256


class WordLlamaEmbeddingModel(LocalEmbeddingModel):
    """pydantic-ai's `EmbeddingModel` over the `wordllama` package's bundled model."""

    def __init__(self, *, settings: EmbeddingSettings | None = None) -> None:
        super().__init__(settings=settings)
        self._model  # noqa: B018 (load now: a missing extra fails at start-up, not mid-search)

    @cached_property
    def _model(self) -> Any:
        try:
            import wordllama
        except ImportError as exc:
            raise RuntimeError(
                "OC_EMBEDDER=wordllama needs the wordllama package (a dependency of the project:"
                " pip install -e .), or set OC_EMBEDDER=offline"
            ) from exc
        # The wheel holds weights/ and tokenizers/ beside the code: point the "cache" at it.
        return wordllama.WordLlama.load(
            dim=WORDLLAMA_DIMENSIONS,
            cache_dir=Path(wordllama.__file__).parent,
            disable_download=True,
        )

    @property
    def model_name(self) -> str:
        return "l2-supercat-256"

    @property
    def system(self) -> str:
        return "wordllama"

    def vectors(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return [[float(x) for x in row] for row in self._model.embed(list(texts), norm=True)]
