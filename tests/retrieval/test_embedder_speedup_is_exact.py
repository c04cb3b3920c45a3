"""The faster offline embedder gives the first version's vectors to the last bit."""

from __future__ import annotations

import struct
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opencontractserver.llms.embeddings import hashed_ngram_vector, stem
from opencontractserver.llms.synonyms import SYNONYM_GROUPS

from .hashed_ngrams_v2_reference import reference_stem, reference_vector

FIXTURES = Path(__file__).resolve().parents[2] / "bench" / "fixtures"


def bits(vector: list[float]) -> bytes:
    return struct.pack(f"{len(vector)}d", *vector)


def sample_texts() -> list[str]:
    """Every paragraph of the benchmark contracts (both sets), and the synonym table's words."""
    texts = [" ".join(group) for group in SYNONYM_GROUPS]
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix in {".txt", ".md"}:
            texts += [p for p in path.read_text().split("\n\n") if p.strip()]
    return texts


def test_vectors_of_the_sample_contracts_are_bitwise_equal_to_the_first_version() -> None:
    texts = sample_texts()
    assert len(texts) > 200
    for text in texts:
        assert bits(hashed_ngram_vector(text)) == bits(reference_vector(text)), text[:80]
    # repeated words and pairs (tf > 1), and a text embedded twice (the caches warm)
    text = " ".join(texts[:50])
    assert bits(hashed_ngram_vector(text)) == bits(reference_vector(text))
    assert bits(hashed_ngram_vector(text)) == bits(reference_vector(text))


WORDY = st.lists(
    st.sampled_from(
        ["tenant", "tenants", "terminated", "termination", "the", "of", "a1", "99", "rent"]
    )
    | st.text(alphabet="abcdeilmnorstuy0123456789 ", min_size=1, max_size=14),
    max_size=80,
).map(" ".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(WORDY, st.text(max_size=300)), st.sampled_from([384, 64, 7]))
def test_any_text_gets_the_first_versions_vector(text: str, dimensions: int) -> None:
    assert bits(hashed_ngram_vector(text, dimensions)) == bits(reference_vector(text, dimensions))


@given(st.text(alphabet="abcdefgilmnorstuyz", max_size=20))
def test_the_cached_stemmer_is_the_stemmer(word: str) -> None:
    assert stem(word) == reference_stem(word)
