"""The full-text side ranks by how rare a word is in the searched scope (BM25), not by how often
the common words recur; a quoted phrase is matched as a phrase."""

from __future__ import annotations

import pytest
from pytest_django import Settings as SettingsWrapper

from opencontractserver.annotations import search as search_module
from opencontractserver.annotations.search import search_passages
from opencontractserver.annotations.sources import Source
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.ingestion import ingest_document
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User

pytestmark = pytest.mark.django_db

COMMON = "Under this agreement each party gives the other party notice of the agreement. " * 2
CLAUSES = {
    # Titles share no word with the questions (a title that does would boost its document).
    "plain": COMMON,
    "assigning": COMMON + "Neither party assigns this agreement.",
    "deposit": "The source code is deposited in escrow with an agent.",
    "duration": COMMON + "The agreement lasts three years.",
    **{f"schedule {n}": COMMON + f"Schedule {n} forms part of it." for n in range(8)},
}


@pytest.fixture
def corpus(owner: User) -> Corpus:
    corpus = Corpus.objects.create(title="Common words", creator=owner)
    for title, text in CLAUSES.items():
        document = Document.objects.create(title=title, creator=owner, text=text)
        corpus.documents.add(ingest_document(document.pk))
    return corpus


@pytest.fixture
def text_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Search with the query vector left out: the order is the full-text side's alone."""
    monkeypatch.setattr(search_module, "_query_vector", lambda embed, query: None)


def titles(found: list[Source]) -> list[str]:
    by_id = dict(Document.objects.values_list("pk", "title"))
    return [by_id[s.document_id] for s in found]


@pytest.mark.usefixtures("text_only")
def test_a_rare_word_outweighs_words_every_clause_repeats(owner: User, corpus: Corpus) -> None:
    found = search_passages(
        owner, "Which agreement party escrow notice?", corpus_id=corpus.pk, limit=4
    )

    assert titles(found)[0] == "deposit"


@pytest.mark.usefixtures("text_only")
def test_a_quoted_phrase_matches_only_where_its_words_stand_together(
    owner: User, corpus: Corpus
) -> None:
    found = search_passages(owner, '"source code"', corpus_id=corpus.pk, limit=4)

    assert titles(found) == ["deposit"]


@pytest.mark.usefixtures("text_only")
def test_the_text_weight_scales_the_full_text_side(
    owner: User, corpus: Corpus, settings: SettingsWrapper
) -> None:
    question = "Which agreement party escrow notice?"
    settings.OC_SEARCH_TEXT_WEIGHT = 1.0
    full = search_passages(owner, question, corpus_id=corpus.pk, limit=4)
    settings.OC_SEARCH_TEXT_WEIGHT = 0.5
    half = search_passages(owner, question, corpus_id=corpus.pk, limit=4)

    assert [s.annotation_id for s in half] == [s.annotation_id for s in full]
    # Scores are relative to the best possible fused score, which the weight does not change.
    # (scores are rounded to 6 places, so halves agree to 1e-6)
    assert [s.score / 2 for s in full] == pytest.approx([s.score for s in half], abs=1e-6)
