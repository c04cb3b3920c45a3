"""A small contract corpus with structural passages (document text + char offsets), embedded
offline as ingestion would: a lease and an NDA of the same landlord."""

from __future__ import annotations

from dataclasses import dataclass

from opencontractserver.annotations.embedding_store import reembed_missing
from opencontractserver.annotations.models import Annotation
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
