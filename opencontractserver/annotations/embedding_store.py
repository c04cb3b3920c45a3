"""Writing passage vectors, and filling them in for a new embedder (`manage.py reembed`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction

from opencontractserver.documents.models import Document
from opencontractserver.llms.embeddings import PassageEmbedder
from opencontractserver.shared.querysets import DocumentChildQuerySet

from .models import Annotation, PassageEmbedding
from .passage_context import embedding_text
from .vector_indexes import ensure_vector_index

REEMBED_BATCH_SIZE = 256
WRITE_BATCH_SIZE = 500


def store_vectors(
    annotations: list[Annotation], vectors: Sequence[Sequence[float]], embedder_name: str
) -> None:
    """Save one vector per annotation under `embedder_name` (inside the caller's transaction),
    a batch at a time, so only one batch of rows is ever built in memory."""
    if not annotations:
        return
    ensure_vector_index(len(vectors[0]))
    for start in range(0, len(annotations), WRITE_BATCH_SIZE):
        PassageEmbedding.objects.bulk_create(
            [
                PassageEmbedding(
                    annotation=annotation,
                    document_id=annotation.document_id,
                    embedder=embedder_name,
                    dimension=len(vector),
                    vector=list(vector),
                )
                for annotation, vector in zip(
                    annotations[start : start + WRITE_BATCH_SIZE],
                    vectors[start : start + WRITE_BATCH_SIZE],
                    strict=True,
                )
            ],
            ignore_conflicts=True,
        )


def passages_missing_vectors(embedder_name: str) -> int:
    return _missing(embedder_name).count()


def reembed_missing(
    embedder: PassageEmbedder,
    *,
    batch_size: int = REEMBED_BATCH_SIZE,
    on_batch: Callable[[int], object] | None = None,
) -> int:
    """Embed every structural passage that has no vector from `embedder`; returns how many."""
    done = 0
    last_id = 0
    while True:
        batch = list(_missing(embedder.name).filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not batch:
            return done
        vectors = embedder.embed_documents(passage_texts(batch))
        with transaction.atomic():
            store_vectors(batch, vectors, embedder.name)
        last_id = batch[-1].pk
        done += len(batch)
        if on_batch is not None:
            on_batch(len(batch))


def retitle_document(document: Document, title: str, embedder: PassageEmbedder) -> int:
    """Give `document` a new title and re-embed its passages, which are embedded with their
    document's title (annotations/passage_context.py); returns how many were re-embedded.

    Every embedder's vectors of the document are replaced or dropped in one transaction: the
    configured one's are computed again, the others' are deleted for `manage.py reembed` to fill
    (a stale title in a vector would keep naming the document by its old title)."""
    passages = list(Annotation.objects.filter(document_id=document.pk, structural=True))
    texts = [embedding_text(title, a.context, a.raw_text) for a in passages]
    vectors = embedder.embed_documents(texts) if texts else []  # outside the transaction
    with transaction.atomic():
        document.title = title
        document.save(update_fields=["title", "modified"])
        PassageEmbedding.objects.filter(document_id=document.pk).delete()
        store_vectors(passages, vectors, embedder.name)
    return len(passages)


def passage_texts(annotations: list[Annotation]) -> list[str]:
    """What the embedder sees for each passage: its text, its document's title, its heading."""
    ids = {a.document_id for a in annotations}
    titles = dict(Document.objects.filter(pk__in=ids).values_list("pk", "title"))
    return [
        embedding_text(titles.get(a.document_id, ""), a.context, a.raw_text) for a in annotations
    ]


def prune_other_embedders(embedder_name: str) -> int:
    """Delete the vectors of every other embedder; returns how many were deleted."""
    deleted, _ = PassageEmbedding.objects.exclude(embedder=embedder_name).delete()
    return deleted


def _missing(embedder_name: str) -> DocumentChildQuerySet[Annotation]:
    return Annotation.objects.filter(structural=True).exclude(embeddings__embedder=embedder_name)
