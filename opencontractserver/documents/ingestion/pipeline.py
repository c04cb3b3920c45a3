"""Ingesting one document: extract, cut into passages, embed, then write it all at once.

The slow steps (parsing, embedding, possibly over the network) run before the transaction; the
write replaces the document's structural passages and their vectors and marks it ready in one
transaction, so readers see either the old passages or the new ones, never a mix. Passages whose
text did not change keep their ids, so citations in earlier answers still resolve. A file whose
content hash matches a document already ready is a no-op. A bad file writes only its status
(`failed`) and the reason; its previous passages, if any, are left as they were.

Memory (memory.py): the document is held once, as its text; passages are spans until a batch of
them is embedded or written; vectors wait on disk between the two.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models.functions import MD5
from django.utils import timezone
from psycopg import sql

from opencontractserver.annotations.copy_rows import create_annotations
from opencontractserver.annotations.embedding_store import store_vectors
from opencontractserver.annotations.models import Annotation
from opencontractserver.annotations.passage_context import embedding_text
from opencontractserver.annotations.vector_indexes import ensure_vector_index
from opencontractserver.llms.embeddings import PassageEmbedder, get_embedder

from ..models import Document, IngestionStatus
from .extraction import ExtractedText, IngestionError, detect_kind, extract
from .memory import SpilledVectors, embed_compactly, release_memory, yield_to_requests
from .passages import Passage, PassageSpans

logger = logging.getLogger(__name__)

PASSAGE_LABEL = "passage"
WRITE_BATCH_SIZE = 500

# The old passages of a document, by (page, MD5 of the text): their ids, oldest first.
OldPassages = dict[tuple[int, str], list[int]]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ingest_document(document_id: int) -> Document:
    """Make the document's passages from its file (or its text); settle its status."""
    document = Document.objects.defer("text").get(pk=document_id)
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
        del data  # from here on the text is the only copy of the document
        spans = PassageSpans(extracted)
    except IngestionError as exc:
        return _fail(document, str(exc))
    try:
        vectors = embed_compactly(embedder, _embedding_texts(document.title, spans))
    except Exception as exc:
        logger.exception("Embedding document %s with %s failed", document.pk, embedder.name)
        return _fail(document, f"The passages could not be embedded ({embedder.name}): {exc}")
    with vectors:
        if vectors.count:
            ensure_vector_index(vectors.dimension)
        return _store(document.pk, digest, extracted, spans, vectors, embedder.name, force=force)


def _embedding_texts(title: str, spans: PassageSpans) -> Iterator[str]:
    for heading, raw_text in spans.texts():
        yield embedding_text(title, heading, raw_text)


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
    spans: PassageSpans,
    vectors: SpilledVectors,
    embedder_name: str,
    *,
    force: bool,
) -> Document:
    with transaction.atomic():
        document = Document.objects.select_for_update().defer("text").get(pk=document_id)
        ready = document.status == IngestionStatus.READY
        if not force and ready and document.content_hash == digest:
            return document  # another worker finished the same content first
        _replace_passages(document, spans, vectors, embedder_name)
        _save_text(document, extracted.text)
        document.page_count = len(extracted.pages)
        document.content_hash = digest
        document.status = IngestionStatus.READY
        document.status_reason = ""
        document.save(
            update_fields=["page_count", "content_hash", "status", "status_reason", "modified"]
        )
    return document


def _save_text(document: Document, text: str) -> None:
    """Write `Document.text` through COPY, a slice at a time. As one parameter (Django's cursors
    even splice it into the SQL) a 20 MB text was copied whole, four to five times, and libpq's
    send buffer grew to its size and kept it for as long as the pooled connection lived."""
    table = sql.Identifier(Document._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {_TEXT_TABLE} (text text) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY {_TEXT_TABLE} (text) FROM STDIN") as copy:
            for start in range(0, len(text), _COPY_SLICE_CHARS):
                copy.write(_copy_escaped(text[start : start + _COPY_SLICE_CHARS]))
            copy.write(b"\n")  # the end of the one row (an empty text is a row too)
        cursor.execute(
            sql.SQL(
                "UPDATE {table} SET text = (SELECT text FROM {temporary}) WHERE id = %s"
            ).format(table=table, temporary=sql.Identifier(_TEXT_TABLE)),
            [document.pk],
        )
        # (dropped now, not at commit: an outer transaction may ingest several documents)
        cursor.execute(f"DROP TABLE {_TEXT_TABLE}")
    document.text = text


_TEXT_TABLE = "ingestion_document_text"
_COPY_SLICE_CHARS = 256 * 1024
# COPY's text format: a backslash escapes, and a newline, carriage return or tab ends a field
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _copy_escaped(piece: str) -> bytes:
    return piece.translate(_COPY_ESCAPES).encode("utf-8")


def _replace_passages(
    document: Document, spans: PassageSpans, vectors: SpilledVectors, embedder_name: str
) -> None:
    """Make the document's structural passages exactly `spans`, one annotation (and one vector)
    each, a batch at a time.

    A passage whose page and text are unchanged keeps its annotation (and so its id, which
    citations in past answers point at), with its offsets and boxes updated; the others are
    created, and the old ones left over are deleted.
    """
    old = _old_passages(document)
    stale: list[int] = []
    for batch in spans.batches(WRITE_BATCH_SIZE):
        annotations = _write_batch(document, batch, old, stale)
        store_vectors(annotations, vectors.read(len(annotations)), embedder_name)
        yield_to_requests()
    stale += [pk for pks in old.values() for pk in pks]
    for start in range(0, len(stale), WRITE_BATCH_SIZE):
        Annotation.objects.filter(pk__in=stale[start : start + WRITE_BATCH_SIZE]).delete()


def _old_passages(document: Document) -> OldPassages:
    """The document's structural passages as (page, MD5 of the text) -> ids, oldest first: a
    few dozen bytes a passage instead of the passages themselves."""
    old: OldPassages = {}
    rows = (
        Annotation.objects.filter(document=document, structural=True)
        .annotate(digest=MD5("raw_text"))
        .order_by("pk")
        .values_list("pk", "page", "digest")
    )
    for pk, page, digest in rows.iterator(chunk_size=2000):
        old.setdefault((page, digest), []).append(pk)
    return old


def _text_digest(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _write_batch(
    document: Document, batch: list[Passage], old: OldPassages, stale: list[int]
) -> list[Annotation]:
    """Keep or create the annotation of each passage of `batch`; returns them in its order."""
    claimed: list[int | None] = []
    for passage in batch:
        pks = old.get((passage.page, _text_digest(passage.raw_text)))
        claimed.append(pks.pop(0) if pks else None)
    existing = Annotation.objects.in_bulk([pk for pk in claimed if pk is not None])
    result: list[Annotation | None] = []
    moved: list[Annotation] = []
    now = timezone.now()
    for passage, pk in zip(batch, claimed, strict=True):
        annotation = existing.get(pk) if pk is not None else None
        if annotation is None or annotation.raw_text != passage.raw_text:
            if annotation is not None:  # the same MD5, another text: not the same passage
                stale.append(annotation.pk)
            result.append(None)
            continue
        if (annotation.char_start, annotation.char_end, annotation.json, annotation.context) != (
            passage.char_start,
            passage.char_end,
            passage.json,
            passage.heading,
        ):
            annotation.char_start = passage.char_start
            annotation.char_end = passage.char_end
            annotation.json = passage.json
            annotation.context = passage.heading
            annotation.modified = now
            moved.append(annotation)
        result.append(annotation)
    Annotation.objects.bulk_update(moved, ["char_start", "char_end", "json", "context", "modified"])
    created = iter(
        create_annotations(
            [
                Annotation(
                    document=document,
                    page=p.page,
                    char_start=p.char_start,
                    char_end=p.char_end,
                    raw_text=p.raw_text,
                    json=p.json,
                    context=p.heading,
                    label=PASSAGE_LABEL,
                    structural=True,
                )
                for p, kept in zip(batch, result, strict=True)
                if kept is None
            ]
        )
    )
    return [kept if kept is not None else next(created) for kept in result]


def _fail(document: Document, reason: str) -> Document:
    Document.objects.filter(pk=document.pk).update(
        status=IngestionStatus.FAILED, status_reason=reason
    )
    document.refresh_from_db()
    return document
