"""Writing many passages and vectors through COPY instead of multi-row INSERTs.

A 20 MB text is ~21,000 passages and as many vectors. Django's `bulk_create` builds one INSERT
per batch with every value spliced into the SQL (its cursors bind on the client): each vector
became a ~2.5 KB decimal literal that Python formatted and PostgreSQL parsed back, and each
row cost Python-side model machinery. Here passages go through COPY (text format) with ids
taken from their sequence beforehand, and vectors through binary COPY straight from their
4-byte floats (docs/performance.md, "Ingestion time"). Inside the caller's transaction.
"""

from __future__ import annotations

import json
import struct
import sys
from array import array
from collections.abc import Sequence

from django.db import connection, transaction
from django.utils import timezone

from .models import Annotation, PassageEmbedding

_ANNOTATION_COLUMNS = (
    "id",
    "created",
    "modified",
    "document_id",
    "page",
    "char_start",
    "char_end",
    "raw_text",
    "json",
    "label",
    "structural",
    "creator_id",
    "context",
)
_STAGED_VECTORS = "copy_rows_staged_vectors"
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_BINARY_TRAILER = struct.pack(">h", -1)
_BIG_ENDIAN = sys.byteorder == "big"


def create_annotations(annotations: list[Annotation]) -> list[Annotation]:
    """Insert unsaved annotations through one COPY; each gets its id (from the table's sequence)
    and timestamps, as `bulk_create` would give them. Returns the same list."""
    if not annotations:
        return annotations
    table = Annotation._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(annotations)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(_ANNOTATION_COLUMNS)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for annotation, pk in zip(annotations, ids, strict=True):
                annotation.pk = pk
                annotation.created = annotation.modified = now
                copy.write_row(
                    (
                        pk,
                        now,
                        now,
                        annotation.document_id,
                        annotation.page,
                        annotation.char_start,
                        annotation.char_end,
                        annotation.raw_text,
                        json.dumps(annotation.json),
                        annotation.label,
                        annotation.structural,
                        annotation.creator_id,
                        annotation.context,
                    )
                )
    for annotation in annotations:
        annotation._state.adding = False
        annotation._state.db = connection.alias
    return annotations


def copy_vectors(
    annotations: Sequence[Annotation], vectors: Sequence[Sequence[float]], embedder_name: str
) -> None:
    """One vector per annotation under `embedder_name`, skipping annotations that already have
    one from that embedder (as `ON CONFLICT DO NOTHING`): binary COPY into a staging table, then
    one INSERT … SELECT from it."""
    if not annotations:
        return
    if len(annotations) != len(vectors):
        raise ValueError(f"{len(vectors)} vectors for {len(annotations)} passages")
    table = PassageEmbedding._meta.db_table
    # (a transaction of its own when called in autocommit: the staging table lives until commit)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGED_VECTORS} (annotation_id bigint, document_id bigint,"
            " embedder varchar(200), dimension integer, vector vector) ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY {_STAGED_VECTORS} FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(_BINARY_HEADER)
            name = embedder_name.encode("utf-8")
            for annotation, vector in zip(annotations, vectors, strict=True):
                copy.write(_binary_row(annotation.pk, annotation.document_id, name, vector))
            copy.write(_BINARY_TRAILER)
        cursor.execute(
            f"INSERT INTO {table} (annotation_id, document_id, embedder, dimension, vector)"
            f" SELECT annotation_id, document_id, embedder, dimension, vector"
            f" FROM {_STAGED_VECTORS} ON CONFLICT (annotation_id, embedder) DO NOTHING"
        )
        # (dropped now, not at commit: one transaction may store several batches)
        cursor.execute(f"DROP TABLE {_STAGED_VECTORS}")


def _binary_row(
    annotation_id: int, document_id: int, embedder: bytes, vector: Sequence[float]
) -> bytes:
    """One row of binary COPY: five fields, each its length then its bytes; a pgvector value is
    its dimension (int16), an unused int16 and the floats, all big-endian."""
    floats = array("f", vector)
    if not _BIG_ENDIAN:
        floats.byteswap()
    dimension = len(floats)
    return b"".join(
        (
            struct.pack(">hiqiqi", 5, 8, annotation_id, 8, document_id, len(embedder)),
            embedder,
            struct.pack(">iii", 4, dimension, 4 + 4 * dimension),
            struct.pack(">hh", dimension, 0),
            floats.tobytes(),
        )
    )
