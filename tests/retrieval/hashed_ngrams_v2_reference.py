"""The offline model's vectors as its first version computed them (before the speed-up).

Stored vectors (`offline:hashed-ngrams-v2+context-v1`) were made by this code; the faster
`hashed_ngram_vector` of llms/embeddings.py must give exactly the same floats, or every stored
vector would silently stop matching its queries. Kept verbatim as the specification (only the
tables and weights are imported: changing those changes the model, and so its name).
"""

from __future__ import annotations

import itertools
import math
import zlib
from functools import lru_cache

from opencontractserver.llms.embeddings import (
    _BIGRAM_WEIGHT,
    _CONCEPT_WEIGHT,
    _NGRAM_SIZE,
    _NGRAM_WEIGHT,
    _STOP_WORDS,
    _SUFFIXES,
    _WORD,
    _WORD_WEIGHT,
    CONCEPT_OF_STEM,
    OFFLINE_DIMENSIONS,
    WEAK_STEMS,
    WEAK_WORD_WEIGHT,
)


def reference_stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _reference_slot(feature: str, dimensions: int) -> tuple[int, float]:
    digest = zlib.crc32(feature.encode("utf-8"))
    return digest % dimensions, 1.0 if (digest >> 31) & 1 else -1.0


@lru_cache(maxsize=200_000)
def _reference_word_features(word: str, dimensions: int) -> tuple[tuple[int, float], ...]:
    stemmed = reference_stem(word)
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
        index, sign = _reference_slot(feature, dimensions)
        slots.append((index, sign * weight * scale))
    return tuple(slots)


def reference_vector(text: str, dimensions: int = OFFLINE_DIMENSIONS) -> list[float]:
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOP_WORDS]
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    pairs: dict[str, int] = {}
    for first, second in itertools.pairwise(words):
        pair = reference_stem(first) + " " + reference_stem(second)
        pairs[pair] = pairs.get(pair, 0) + 1
    vector = [0.0] * dimensions
    for word, count in counts.items():
        tf = 1.0 + math.log(count)
        for index, value in _reference_word_features(word, dimensions):
            vector[index] += tf * value
    for pair, count in pairs.items():
        index, sign = _reference_slot("b:" + pair, dimensions)
        vector[index] += sign * _BIGRAM_WEIGHT * (1.0 + math.log(count))
    norm = math.sqrt(sum(v * v for v in vector))
    if norm == 0.0:
        return vector
    return [v / norm for v in vector]
