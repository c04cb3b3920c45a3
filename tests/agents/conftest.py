"""A small contract corpus with structural passages (document text + char offsets)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pytest_django import Settings as SettingsWrapper

from opencontractserver.annotations.embedding_store import reembed_missing
from opencontractserver.annotations.models import Annotation
from opencontractserver.conversations.models import Conversation
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document, IngestionStatus
from opencontractserver.llms.embeddings import get_embedder
from opencontractserver.users.models import User

LEASE = [
    (1, "Residential Lease Agreement between Acme Properties (landlord) and Jane Doe (tenant)."),
    (1, "The tenant shall pay rent of 1,200 dollars on the first day of each month."),
    (2, "A late fee of 50 dollars applies when rent is more than five days late."),
    (2, "Either party may terminate this lease with sixty days written notice."),
    (3, "The landlord shall keep the heating and plumbing in good repair."),
]
NDA = [
    (1, "Mutual Non-Disclosure Agreement between Acme Properties and Beta Analytics."),
    (1, "Confidential information must not be disclosed to any third party for three years."),
    (2, "This agreement is governed by the laws of the State of Delaware."),
]


def make_document(owner: User, title: str, paragraphs: list[tuple[int, str]]) -> Document:
    text = "\n\n".join(p for _, p in paragraphs)
    document = Document.objects.create(
        title=title,
        creator=owner,
        text=text,
        mime_type="text/plain",
        page_count=max(page for page, _ in paragraphs),
        status=IngestionStatus.READY,
    )
    offset = 0
    for page, paragraph in paragraphs:
        start = text.index(paragraph, offset)
        end = start + len(paragraph)
        Annotation.objects.create(
            document=document,
            page=page,
            char_start=start,
            char_end=end,
            raw_text=text[start:end],
            json={"start": start, "end": end},
            label="paragraph",
            structural=True,
        )
        offset = end
    # Embed the passages with the configured (offline) embedder, as ingestion would.
    reembed_missing(get_embedder())
    return document


@dataclass
class ContractCorpus:
    corpus: Corpus
    lease: Document
    nda: Document

    def passage(self, document: Document, contains: str) -> Annotation:
        return Annotation.objects.get(document=document, raw_text__contains=contains)


@pytest.fixture
def contracts(owner: User) -> ContractCorpus:
    corpus = Corpus.objects.create(title="Acme contracts", creator=owner)
    lease = make_document(owner, "Residential lease", LEASE)
    nda = make_document(owner, "Mutual NDA", NDA)
    corpus.documents.add(lease, nda)
    return ContractCorpus(corpus, lease, nda)


@pytest.fixture
def strangers_document(stranger: User) -> Document:
    return make_document(
        stranger, "Stranger's secret lease", [(1, "The secret rent is 9,999 dollars monthly.")]
    )


@pytest.fixture
def lease_conversation(owner: User, contracts: ContractCorpus) -> Conversation:
    return Conversation.objects.create(creator=owner, chat_with_document=contracts.lease)


@pytest.fixture
def corpus_conversation(owner: User, contracts: ContractCorpus) -> Conversation:
    return Conversation.objects.create(creator=owner, chat_with_corpus=contracts.corpus)


@pytest.fixture(autouse=True)
def fast_offline_model(settings: SettingsWrapper, close_worker_thread_connections: None) -> None:
    """The offline model at full speed, and no worker-thread connection left after a test."""
    settings.OC_OFFLINE_TOKENS_PER_SECOND = 0
    settings.OC_LLM_MODEL = ""
    settings.OC_LLM_BASE_URL = ""
