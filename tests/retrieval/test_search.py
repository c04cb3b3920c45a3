"""Hybrid search: permission scoping, fusion of meaning and words, one embedder at a time."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from pydantic_ai import Embedder
from pydantic_ai.embeddings import TestEmbeddingModel

from opencontractserver.annotations import search as search_module
from opencontractserver.annotations.search import full_text_query, search_passages
from opencontractserver.annotations.sources import Source
from opencontractserver.corpuses.models import Corpus, CorpusShare
from opencontractserver.documents.ingestion import ingest_document
from opencontractserver.documents.models import Document
from opencontractserver.llms.embeddings import PassageEmbedder
from opencontractserver.users.models import User

pytestmark = pytest.mark.django_db

CLAUSES = {
    "termination": "Either party may terminate this agreement upon thirty days written notice.",
    "order": "Purchase order ZX-4471 covers the spare parts listed in Schedule B.",
    "rent": "The tenant shall pay the monthly rent on the first business day.",
    "pets": "No animals may be kept on the premises without written consent.",
    "law": "This lease is governed by the laws of the State of Delaware.",
    "repairs": "The landlord maintains the roof, plumbing and heating systems.",
    "deposit": "A security deposit of two thousand dollars is held in escrow.",
    "insurance": "The supplier carries general liability insurance of one million.",
    "confidential": "Recipient keeps the discloser's secrets in strict confidence.",
}


def ingest_text(owner: User, title: str, text: str, *, is_public: bool = False) -> Document:
    document = Document.objects.create(title=title, creator=owner, text=text, is_public=is_public)
    return ingest_document(document.pk)


@pytest.fixture
def clause_corpus(owner: User) -> Corpus:
    corpus = Corpus.objects.create(title="Clauses", creator=owner)
    for title, text in CLAUSES.items():
        corpus.documents.add(ingest_text(owner, title, text))
    return corpus


def titles(sources: list[Source]) -> list[str]:
    by_id = dict(Document.objects.values_list("pk", "title"))
    return [by_id[s.document_id] for s in sources]


@pytest.mark.parametrize("exact_below", [1, 10_000], ids=["hnsw-index", "exact-scan"])
def test_a_keyword_only_match_and_a_meaning_only_match_are_both_found(
    owner: User, clause_corpus: Corpus, exact_below: int
) -> None:
    query = "how do I cancel the deal? what is ZX-4471"
    # Preconditions: full text alone finds the order (shared words) but not the termination
    # clause, whose words ("terminate", "agreement") differ from the query's.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.title FROM annotations_annotation a JOIN documents_document d"
            " ON d.id = a.document_id WHERE a.search_vector @@ websearch_to_tsquery('english', %s)",
            [full_text_query(query)],
        )
        assert {row[0] for row in cursor.fetchall()} == {"order"}

    with (
        override_settings(OC_SEARCH_EXACT_BELOW=exact_below),
        CaptureQueriesContext(connection) as queries,
    ):
        sources = search_passages(owner, query, corpus_id=clause_corpus.pk, limit=3)

    used_index = any("iterative_scan" in q["sql"] for q in queries.captured_queries)
    assert used_index == (exact_below == 1)

    assert set(titles(sources)[:2]) == {"termination", "order"}
    assert all(s.corpus_id == clause_corpus.pk for s in sources)
    scores = [s.score for s in sources]
    assert scores == sorted(scores, reverse=True)
    assert 0 < scores[-1] <= scores[0] <= 1


def test_a_meaning_only_question_ranks_the_right_clause_first(
    owner: User, clause_corpus: Corpus
) -> None:
    sources = search_passages(owner, "Are dogs allowed in the flat?", corpus_id=clause_corpus.pk)

    assert titles(sources)[0] == "pets"


def test_sources_carry_the_passage_and_its_position(owner: User) -> None:
    document = ingest_text(owner, "rent", CLAUSES["rent"])

    (source,) = search_passages(owner, "monthly rent", document_id=document.pk, limit=1)

    assert source.document_id == document.pk
    assert source.corpus_id is None
    assert source.rawText == CLAUSES["rent"]
    assert (source.char_start, source.char_end) == (0, len(CLAUSES["rent"]))
    assert source.page == 1
    assert source.to_wire()["json"] == {"start": 0, "end": len(CLAUSES["rent"])}
    assert source.score == pytest.approx(1.0)  # first by meaning and by words


def test_a_strangers_passages_never_come_back(
    owner: User, stranger: User, clause_corpus: Corpus
) -> None:
    document = clause_corpus.documents.get(title="rent")

    assert search_passages(stranger, "rent", document_id=document.pk) == []
    assert search_passages(stranger, "rent", corpus_id=clause_corpus.pk) == []
    assert search_passages(stranger, "rent") == []
    assert search_passages(None, "rent") == []
    assert search_passages(owner, "rent", corpus_id=clause_corpus.pk)


def test_only_documents_the_user_may_read_are_searched(
    owner: User, stranger: User, reader: User, clause_corpus: Corpus
) -> None:
    public = ingest_text(stranger, "public rent", "Public rent is paid yearly.", is_public=True)
    CorpusShare.objects.create(corpus=clause_corpus, user=reader)

    reader_docs = {s.document_id for s in search_passages(reader, "rent", limit=50)}
    stranger_docs = {s.document_id for s in search_passages(stranger, "rent", limit=50)}

    assert public.pk in reader_docs
    assert clause_corpus.documents.get(title="rent").pk in reader_docs
    assert stranger_docs == {public.pk}


def test_a_document_outside_the_corpus_is_not_searched_through_it(
    owner: User, clause_corpus: Corpus
) -> None:
    outside = ingest_text(owner, "outside", "Rent outside the corpus.")

    assert search_passages(owner, "rent", document_id=outside.pk, corpus_id=clause_corpus.pk) == []


def test_vectors_of_another_embedder_are_never_compared(
    owner: User, clause_corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = PassageEmbedder(
        name="test:constant", embedder=Embedder(TestEmbeddingModel(dimensions=384))
    )
    monkeypatch.setattr(search_module, "get_embedder", lambda: other)

    # The stored vectors are the offline model's: with another embedder only words can match.
    assert search_passages(owner, "cancel the deal", corpus_id=clause_corpus.pk) == []
    assert titles(search_passages(owner, "ZX-4471", corpus_id=clause_corpus.pk)) == ["order"]


def test_a_failing_query_embedder_falls_back_to_full_text(
    owner: User, clause_corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(query: str) -> list[float]:
        raise ConnectionError("down")

    class Broken(PassageEmbedder):
        def embed_query(self, text: str) -> list[float]:
            return broken(text)

    monkeypatch.setattr(
        search_module,
        "get_embedder",
        lambda: Broken(
            name="offline:hashed-ngrams-v2+context-v1", embedder=Embedder(TestEmbeddingModel())
        ),
    )

    assert titles(search_passages(owner, "Delaware", corpus_id=clause_corpus.pk)) == ["law"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("how much is the rent?", "how or much or is or the or rent"),
        ('"security deposit" -pets', '"security deposit" -pets'),
        ("rent OR deposit", "rent OR deposit"),
        ("non-compete clause", "non-compete or clause"),
    ],
)
def test_plain_questions_become_a_disjunction_of_their_words(query: str, expected: str) -> None:
    assert full_text_query(query) == expected


def test_empty_queries_find_nothing(owner: User, clause_corpus: Corpus) -> None:
    assert search_passages(owner, "   ", corpus_id=clause_corpus.pk) == []
    assert search_passages(owner, "the of and", corpus_id=clause_corpus.pk) == []
