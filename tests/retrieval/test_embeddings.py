"""The offline embedder and the OC_EMBEDDER setting."""

from __future__ import annotations

import math

import pytest
from pydantic_ai.embeddings import TestEmbeddingModel

from opencontractserver.llms.embeddings import (
    OFFLINE_DIMENSIONS,
    HashedNgramEmbeddingModel,
    PassageEmbedder,
    build_embedder,
    hashed_ngram_vector,
)
from opencontractserver.llms.synonyms import SYNONYM_GROUPS


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_offline_vectors_are_unit_length_and_deterministic() -> None:
    vector = hashed_ngram_vector("The tenant pays rent monthly.")
    assert len(vector) == OFFLINE_DIMENSIONS
    assert math.isclose(math.sqrt(sum(v * v for v in vector)), 1.0)
    assert vector == hashed_ngram_vector("The tenant pays rent monthly.")


def test_text_without_words_has_a_zero_vector() -> None:
    assert not any(hashed_ngram_vector("the of and ...!"))


def test_synonyms_and_word_forms_bring_texts_together() -> None:
    question = hashed_ngram_vector("How do I cancel the deal?")
    clause = hashed_ngram_vector("Either party may terminate this agreement with notice.")
    unrelated = hashed_ngram_vector("The landlord repairs the heating system.")
    assert cosine(question, clause) > 0.2
    assert cosine(question, clause) > 2 * abs(cosine(question, unrelated))
    assert cosine(hashed_ngram_vector("indemnification"), hashed_ngram_vector("indemnify")) > 0.5


def test_uptime_and_availability_are_one_concept() -> None:
    question = hashed_ngram_vector("What uptime is guaranteed?")
    clause = hashed_ngram_vector("The Service shall be available 99.9% of the time.")
    unrelated = hashed_ngram_vector("The landlord repairs the heating system.")
    assert cosine(question, clause) > 0.2
    assert cosine(question, clause) > 2 * abs(cosine(question, unrelated))


def test_common_contract_words_weigh_less_than_the_question_s_content_words() -> None:
    question = hashed_ngram_vector("What must the Tenant pay each month?")
    about_paying = hashed_ngram_vector("The Tenant shall pay rent in advance.")
    about_months = hashed_ngram_vector("Notice of twelve months, after six months of the term.")
    assert cosine(question, about_paying) > 3 * cosine(question, about_months)
    assert cosine(question, about_months) > 0  # still counted, just less


def test_synonym_groups_are_single_words_in_one_group_each() -> None:
    words = [word for group in SYNONYM_GROUPS for word in group]
    assert all(" " not in word for word in words)
    assert len(words) == len(set(words))


@pytest.mark.parametrize(
    ("setting", "name"),
    [
        ("", "offline:hashed-ngrams-v2+context-v1"),
        ("  ", "offline:hashed-ngrams-v2+context-v1"),
        ("openai:text-embedding-3-small", "openai:text-embedding-3-small+context-v1"),
    ],
)
def test_the_setting_names_the_stored_embedder(setting: str, name: str) -> None:
    assert build_embedder(setting).name == name


def test_a_pydantic_ai_model_embeds_through_the_embedder_interface() -> None:
    from pydantic_ai import Embedder

    embedder = PassageEmbedder(name="test", embedder=Embedder(TestEmbeddingModel(dimensions=4)))
    assert embedder.embed_documents(["a", "b"]) == [[1.0] * 4, [1.0] * 4]
    assert embedder.embed_query("q") == [1.0] * 4


async def test_the_offline_model_works_as_an_async_pydantic_ai_model() -> None:
    result = await HashedNgramEmbeddingModel().embed(["rent"], input_type="query")
    assert result.embeddings[0] == hashed_ngram_vector("rent")
    assert result.provider_name == "offline"
