"""Ranking on the seeded demo corpus: questions an integration run answered from the wrong
passage. Each names the demo file and words of the passage that must come first."""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django import Settings as SettingsWrapper

from opencontractserver.annotations.search import search_passages
from opencontractserver.annotations.sources import Source
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.documents.seeding import DEMO_CORPUS_TITLE, DEMO_DOCUMENTS
from opencontractserver.users.models import User

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class DemoCorpus:
    user: User
    corpus: Corpus
    documents: dict[str, Document]  # by demo source file name


@pytest.fixture
def demo(settings: SettingsWrapper, tmp_path: Path) -> DemoCorpus:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    user = User.objects.get(username=settings.OC_DEMO_USERNAME)
    corpus = Corpus.objects.get(creator=user, title=DEMO_CORPUS_TITLE)
    by_title = {d.title: d for d in corpus.documents.all()}
    return DemoCorpus(user, corpus, {d.source: by_title[d.title] for d in DEMO_DOCUMENTS})


def flat(text: str) -> str:
    return " ".join(text.split())


def test_a_document_named_in_the_question_ranks_its_passages_first(demo: DemoCorpus) -> None:
    found = search_passages(
        demo.user, "Which law governs the supply agreement?", corpus_id=demo.corpus.pk, limit=5
    )

    supply = demo.documents["supply_agreement.md"]
    top = [(s.document_id, "governed by" in flat(s.rawText)) for s in found[:2]]
    assert (supply.pk, True) in top, [(s.document_id, s.rawText[:60]) for s in found]
    assert {document_id for document_id, _ in top} == {supply.pk}
    scores = [s.score for s in found]
    assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] <= 1


def test_a_title_matters_only_between_documents_not_inside_one(
    demo: DemoCorpus, settings: SettingsWrapper
) -> None:
    question = "When does the commercial lease end?"  # the document's title says "Commercial Lease"
    lease = demo.documents["commercial_lease.md"]
    with_titles = search_passages(demo.user, question, document_id=lease.pk, limit=5)
    settings.OC_SEARCH_TITLE_BOOST = 0
    without_titles = search_passages(demo.user, question, document_id=lease.pk, limit=5)

    assert with_titles == without_titles
    assert with_titles and 0 < with_titles[0].score <= 1.0


def rank_of(found: list[Source], document: Document, words: str) -> int | None:
    """1-based position of the first passage of `document` containing `words`, or None."""
    return next(
        (
            n
            for n, s in enumerate(found, start=1)
            if s.document_id == document.pk and words in flat(s.rawText)
        ),
        None,
    )


def test_each_month_does_not_outrank_what_the_tenant_pays(demo: DemoCorpus) -> None:
    found = search_passages(
        demo.user, "What must the Tenant pay each month?", corpus_id=demo.corpus.pk, limit=5
    )

    lease = demo.documents["commercial_lease.md"]
    rank = rank_of(found, lease, "$28,700")
    # 4th since passages carry their heading: the rent section's second passage ("3. Rent",
    # late charge and abatement) now ranks with its first, above it.
    assert rank is not None and rank <= 4, [flat(s.rawText)[:60] for s in found]
    assert {s.document_id for s in found[:3]} == {lease.pk}  # no severance or forecast clause


def test_uptime_finds_the_availability_clause(demo: DemoCorpus) -> None:
    found = search_passages(
        demo.user, "What uptime is guaranteed?", corpus_id=demo.corpus.pk, limit=5
    )

    rank = rank_of(found, demo.documents["saas_subscription_agreement.md"], "99.9%")
    assert rank is not None and rank <= 2, [flat(s.rawText)[:60] for s in found]


def test_the_availability_clause_comes_first_for_its_percentage(demo: DemoCorpus) -> None:
    question = "What availability percentage must the Service meet each month?"
    found = search_passages(demo.user, question, corpus_id=demo.corpus.pk, limit=5)

    assert rank_of(found, demo.documents["saas_subscription_agreement.md"], "99.9%") == 1
