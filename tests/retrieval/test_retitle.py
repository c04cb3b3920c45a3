"""A renamed document is searched under its new title: its passages, embedded with their title,
are embedded again, and the stored title tsvector (Document.title_search_vector) follows."""

from __future__ import annotations

import pytest

from opencontractserver.annotations.embedding_store import retitle_document
from opencontractserver.annotations.models import Annotation, PassageEmbedding
from opencontractserver.annotations.passage_context import embedding_text
from opencontractserver.annotations.search import plan_search, resolve_scope, search_passages
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.llms.embeddings import get_embedder
from opencontractserver.users.models import User

from .test_named_documents import CONSULTING, SUBLEASE, ingest_text

pytestmark = pytest.mark.django_db


def stored_vectors(document: Document) -> dict[int, list[float]]:
    return {
        e.annotation_id: [float(x) for x in e.vector]
        for e in PassageEmbedding.objects.filter(document=document, embedder=get_embedder().name)
    }


def test_renaming_re_embeds_the_passages_with_the_new_title(owner: User) -> None:
    document = ingest_text(owner, "scan-0042.txt", SUBLEASE)
    before = stored_vectors(document)
    PassageEmbedding.objects.create(  # another embedder's vector: stale after the rename
        annotation=document.annotations.earliest("char_start"),
        document=document,
        embedder="other:model",
        dimension=2,
        vector=[1.0, 0.0],
    )

    count = retitle_document(document, "Office Sublease", get_embedder())

    passages = list(Annotation.objects.filter(document=document, structural=True))
    assert count == len(passages) == len(before)
    expected = get_embedder().embed_documents(
        [embedding_text("Office Sublease", a.context, a.raw_text) for a in passages]
    )
    after = stored_vectors(document)
    for annotation, vector in zip(passages, expected, strict=True):
        assert after[annotation.pk] == pytest.approx(vector, abs=1e-6)
    assert after != before
    assert not PassageEmbedding.objects.filter(embedder="other:model").exists()
    assert Document.objects.get(pk=document.pk).title == "Office Sublease"


def test_a_question_naming_the_new_title_finds_the_renamed_document(owner: User) -> None:
    corpus = Corpus.objects.create(title="Contracts", creator=owner)
    sublease = ingest_text(owner, "upload 1", SUBLEASE)
    consulting = ingest_text(owner, "Consulting Agreement", CONSULTING)
    corpus.documents.add(sublease, consulting)

    question = "Which law governs the sublease?"
    scope = resolve_scope(owner, corpus_id=corpus.pk)
    assert not plan_search(question, scope).named.any  # "upload 1" names nothing

    retitle_document(sublease, "Office Sublease", get_embedder())
    found = search_passages(owner, question, corpus_id=corpus.pk)

    assert list(plan_search(question, scope).named.weights) == [sublease.pk]
    assert found[0].document_id == sublease.pk
    assert "State of New York" in found[0].rawText
