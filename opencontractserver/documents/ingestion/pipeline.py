"""Ingesting one document: extract, cut into passages, embed, then write it all at once.

The slow steps (parsing, embedding, possibly over the network) run before the transaction; the
write replaces the document's structural passages and their vectors and marks it ready in one
transaction, so readers see either the old passages or the new ones, never a mix. Passages whose
text did not change keep their ids, so citations in earlier answers still resolve. A file whose
content hash matches a document already ready is a no-op. A bad file writes only its status
(`failed`) and the reason; its previous passages, if any, are left as they were.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from opencontractserver.annotations.embedding_store import store_vectors
from opencontractserver.annotations.models import Annotation
from opencontractserver.annotations.passage_context import embedding_text
from opencontractserver.annotations.vector_indexes import ensure_vector_index
from opencontractserver.llms.embeddings import PassageEmbedder, get_embedder

from ..models import Document, IngestionStatus
from .extraction import ExtractedText, IngestionError, detect_kind, extract
from .headings import section_headings
from .memory import embed_compactly, release_memory, yield_to_requests
from .passages import Passage, passages_of

logger = logging.getLogger(__name__)

PASSAGE_LABEL = "passage"
WRITE_BATCH_SIZE = 500


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ingest_document(document_id: int) -> Document:
    """Make the document's passages from its file (or its text); settle its status."""
    document = Document.objects.get(pk=document_id)
    try:
        return ingest(document, get_embedder())
    finally:
        release_memory()


def ingest(document: Document, embedder: PassageEmbedder, *, force: bool = False) -> Document:
    """Ingest with a given embedder; `force` re-cuts unchanged content (after chunking changes)."""
    try:
        data = _read(document)
    except IngestionError as exc:
        return _fail(document, str(exc))
    digest = content_hash(data)
    if not force and document.status == IngestionStatus.READY and document.content_hash == digest:
        return document
    if document.status != IngestionStatus.PENDING:
        Document.objects.filter(pk=document.pk).update(
            status=IngestionStatus.PENDING, status_reason=""
        )
    try:
        extracted = extract(data, detect_kind(document.file.name or "", document.mime_type, data))
        passages = passages_of(extracted)
    except IngestionError as exc:
        return _fail(document, str(exc))
    headings = section_headings(extracted.text, [p.char_start for p in passages])
    texts = [
        embedding_text(document.title, h, p.raw_text)
        for p, h in zip(passages, headings, strict=True)
    ]
    try:
        vectors = embed_compactly(embedder, texts)
    except Exception as exc:
        logger.exception("Embedding document %s with %s failed", document.pk, embedder.name)
        return _fail(document, f"The passages could not be embedded ({embedder.name}): {exc}")
    if vectors:
        ensure_vector_index(len(vectors[0]))
    return _store(
        document.pk, digest, extracted, passages, headings, vectors, embedder.name, force=force
    )


def _read(document: Document) -> bytes:
    if not document.file:
        return document.text.encode("utf-8")
    try:
        with document.file.open("rb") as handle:
            return bytes(handle.read())
    except OSError as exc:
        raise IngestionError("The uploaded file is missing from storage.") from exc


def _store(
    document_id: int,
    digest: str,
    extracted: ExtractedText,
    passages: list[Passage],
    headings: list[str],
    vectors: Sequence[Sequence[float]],
    embedder_name: str,
    *,
    force: bool,
) -> Document:
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        ready = document.status == IngestionStatus.READY
        if not force and ready and document.content_hash == digest:
            return document  # another worker finished the same content first
        annotations = _replace_passages(document, passages, headings)
        store_vectors(annotations, vectors, embedder_name)
        document.text = extracted.text
        document.page_count = len(extracted.pages)
        document.content_hash = digest
        document.status = IngestionStatus.READY
        document.status_reason = ""
        document.save(
            update_fields=[
                "text",
                "page_count",
                "content_hash",
                "status",
                "status_reason",
                "modified",
            ]
        )
    return document


def _replace_passages(
    document: Document, passages: list[Passage], headings: list[str]
) -> list[Annotation]:
    """Make the document's structural passages exactly `passages`, one annotation each.

    A passage whose page and text are unchanged keeps its annotation (and so its id, which
    citations in past answers point at), with its offsets and boxes updated; the others are
    deleted and created. Returns the annotations in the order of `passages`.
    """
    unchanged: dict[tuple[int, str], list[Annotation]] = {}
    for old in Annotation.objects.filter(document=document, structural=True).order_by("pk"):
        unchanged.setdefault((old.page, old.raw_text), []).append(old)
    result: list[Annotation | None] = []
    moved: list[Annotation] = []
    now = timezone.now()
    for passage, heading in zip(passages, headings, strict=True):
        kept = unchanged.get((passage.page, passage.raw_text))
        if not kept:
            result.append(None)
            continue
        annotation = kept.pop(0)
        if (annotation.char_start, annotation.char_end, annotation.json, annotation.context) != (
            passage.char_start,
            passage.char_end,
            passage.json,
            heading,
        ):
            annotation.char_start = passage.char_start
            annotation.char_end = passage.char_end
            annotation.json = passage.json
            annotation.context = heading
            annotation.modified = now
            moved.append(annotation)
        result.append(annotation)
    stale = [a.pk for rest in unchanged.values() for a in rest]
    Annotation.objects.filter(pk__in=stale).delete()
    Annotation.objects.bulk_update(moved, ["char_start", "char_end", "json", "context", "modified"])
    new = [
        (p, heading)
        for p, heading, existing in zip(passages, headings, result, strict=True)
        if existing is None
    ]
    created_rows: list[Annotation] = []
    for start in range(0, len(new), WRITE_BATCH_SIZE):
        created_rows += Annotation.objects.bulk_create(
            Annotation(
                document=document,
                page=p.page,
                char_start=p.char_start,
                char_end=p.char_end,
                raw_text=p.raw_text,
                json=p.json,
                context=heading,
                label=PASSAGE_LABEL,
                structural=True,
            )
            for p, heading in new[start : start + WRITE_BATCH_SIZE]
        )
        yield_to_requests()
    created = iter(created_rows)
    return [existing if existing is not None else next(created) for existing in result]


def _fail(document: Document, reason: str) -> Document:
    Document.objects.filter(pk=document.pk).update(
        status=IngestionStatus.FAILED, status_reason=reason
    )
    document.refresh_from_db()
    return document
