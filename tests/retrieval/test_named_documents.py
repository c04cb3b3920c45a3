"""A question that names its document by title gets that document's relevant passage first,
not the passage that repeats the title most (its opening one)."""

from __future__ import annotations

import pytest
from django.db import connection

from opencontractserver.annotations.named_documents import named_documents
from opencontractserver.annotations.search import search_passages
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.ingestion import ingest_document
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User

pytestmark = pytest.mark.django_db

SUBLEASE = """# Office Sublease

This Office Sublease is a sublease of office space on the fourth floor. The office sublease is
made between Harbor Point Media and Quillfeather Design, and this sublease covers the office.

## 9. Insurance

The Subtenant carries liability insurance of two million dollars per occurrence.

## 15. Governing Law

This Sublease is governed by the laws of the State of New York."""

CONSULTING = """# Consulting Agreement

This Consulting Agreement is made between Tallgrass Foods and Meridian Strategy Partners.

## 12. Insurance

The Consultant maintains professional indemnity insurance of one million dollars per claim.

## 13. Governing Law

This Agreement is governed by the laws of the State of Minnesota."""


def ingest_text(owner: User, title: str, text: str) -> Document:
    document = Document.objects.create(title=title, creator=owner, text=text)
    return ingest_document(document.pk)


@pytest.fixture
def two_contracts(owner: User) -> tuple[Corpus, Document, Document]:
    corpus = Corpus.objects.create(title="Contracts", creator=owner)
    sublease = ingest_text(owner, "Office Sublease", SUBLEASE)
    consulting = ingest_text(owner, "Consulting Agreement", CONSULTING)
    corpus.documents.add(sublease, consulting)
    return corpus, sublease, consulting


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("What insurance do we need under the office sublease?", "liability insurance"),
        ("Which law governs the sublease?", "State of New York"),
    ],
)
def test_naming_a_document_brings_its_relevant_passage_not_its_opening_one(
    owner: User, two_contracts: tuple[Corpus, Document, Document], question: str, words: str
) -> None:
    corpus, sublease, _ = two_contracts

    found = search_passages(owner, question, corpus_id=corpus.pk, limit=3)

    assert found[0].document_id == sublease.pk, [s.rawText[:40] for s in found]
    assert words in found[0].rawText, [s.rawText[:40] for s in found]


def test_the_other_document_is_named_just_as_well(
    owner: User, two_contracts: tuple[Corpus, Document, Document]
) -> None:
    corpus, _, consulting = two_contracts

    found = search_passages(
        owner, "Which law governs the consulting agreement?", corpus_id=corpus.pk, limit=3
    )

    assert found[0].document_id == consulting.pk
    assert "State of Minnesota" in found[0].rawText


def test_a_title_word_every_document_has_names_nothing(
    owner: User, two_contracts: tuple[Corpus, Document, Document]
) -> None:
    _, sublease, consulting = two_contracts
    both = "{" + f"{sublease.pk},{consulting.pk}" + "}"
    with connection.cursor() as cursor:
        named = named_documents(cursor, "What does the sublease say about insurance?", both, 2)
        one = named_documents(cursor, "sublease insurance", "{" + str(sublease.pk) + "}", 1)
        neither = named_documents(cursor, "What about insurance?", both, 2)
        twice = named_documents(cursor, "Under the sublease, may we sublease the cellar?", both, 2)

    assert named.weights == {sublease.pk: 0.5}
    assert named.ranking_query == "What does the say about insurance"
    assert not one.any and one.ranking_query == "sublease insurance"  # one document: no naming
    assert not neither.any and neither.ranking_query == "What about insurance?"
    # The title mention uses a naming word up once; the question's own use of it stays.
    assert twice.ranking_query == "Under the may we sublease the cellar"
