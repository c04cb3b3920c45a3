"""Ingestion a batch at a time stores exactly what the whole-document version stored."""

from __future__ import annotations

import pytest

from opencontractserver.annotations.models import PassageEmbedding
from opencontractserver.annotations.passage_context import embedding_text
from opencontractserver.documents.ingestion import ingest_document
from opencontractserver.documents.ingestion import pipeline as pipeline_module
from opencontractserver.documents.ingestion.headings import section_headings
from opencontractserver.documents.ingestion.pipeline import WRITE_BATCH_SIZE
from opencontractserver.documents.models import IngestionStatus
from opencontractserver.llms.embeddings import get_embedder
from tests.support.made_files import MakeDocument

from .test_ingestion import assert_offsets_match_text, passages

pytestmark = pytest.mark.django_db

# what COPY's text format escapes, what looks like its markers, and text beyond ASCII
AWKWARD = "C:\\leases\\2026 \\N \\. tab\there «bail» 租约 🏠 e\u0301"


def test_the_text_is_stored_exactly_however_many_slices_it_is_written_in(
    make_document: MakeDocument, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline_module, "_COPY_SLICE_CHARS", 7)  # slices cut the escapes
    text = "\n\n".join(f"Clause {n}. {AWKWARD} The tenant pays rent." for n in range(40))

    document = ingest_document(make_document(text.encode(), "awkward.txt").pk)

    assert document.status == IngestionStatus.READY, document.status_reason
    document.refresh_from_db()
    assert document.text == text
    assert_offsets_match_text(document)


def test_a_document_of_many_batches_gets_every_passage_and_vector_in_order(
    make_document: MakeDocument,
) -> None:
    paragraphs = [
        f"{n}. CLAUSE {n}. The tenant shall pay {n} dollars. " + "Rent is due monthly. " * 25
        for n in range(WRITE_BATCH_SIZE * 2 + 17)
    ]
    text = "\n\n".join(paragraphs)

    document = ingest_document(make_document(text.encode(), "long.txt").pk)

    assert document.status == IngestionStatus.READY, document.status_reason
    found = passages(document)
    assert len(found) > WRITE_BATCH_SIZE * 2
    assert_offsets_match_text(document)
    assert [p.pk for p in found] == sorted(p.pk for p in found)  # created in reading order
    assert [p.context for p in found] == section_headings(text, [p.char_start for p in found])
    assert found[-1].context.startswith(f"{len(paragraphs) - 2}. CLAUSE")  # (starts in overlap)
    embedder = get_embedder()
    stored = dict(
        PassageEmbedding.objects.filter(document=document).values_list("annotation_id", "vector")
    )
    assert len(stored) == len(found)
    for passage in (found[0], found[WRITE_BATCH_SIZE], found[-1]):  # each its own vector
        expected = embedder.embed_documents(
            [embedding_text(document.title, passage.context, passage.raw_text)]
        )[0]
        assert list(stored[passage.pk]) == pytest.approx(expected, abs=1e-6)
