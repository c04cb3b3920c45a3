"""Approximate-nearest-neighbour indexes over passage vectors, one per dimension.

`PassageEmbedding.vector` has no fixed dimension (embedders differ), and an HNSW index needs one.
So each dimension gets a partial expression index: `(vector::vector(D)) WHERE dimension = D`.
A query uses it when it says the same thing: `dimension = D ORDER BY vector::vector(D) <=> q`.
The migration creates the indexes for common dimensions; `ensure_vector_index` adds others the
first time an embedder of that dimension stores vectors. Above 2000 dimensions (pgvector's
limit for `vector` HNSW) the index is over `halfvec` (up to 4000); beyond that search is exact.
"""

from __future__ import annotations

from django.db import connection

MAX_VECTOR_INDEX_DIMENSIONS = 2000
MAX_HALFVEC_INDEX_DIMENSIONS = 4000
_TABLE = "annotations_passageembedding"
_known: set[int] = set()


def index_type(dimension: int) -> str | None:
    """The pgvector type the index casts to (`vector` or `halfvec`), or None when too wide."""
    if dimension <= MAX_VECTOR_INDEX_DIMENSIONS:
        return "vector"
    if dimension <= MAX_HALFVEC_INDEX_DIMENSIONS:
        return "halfvec"
    return None


def index_name(dimension: int) -> str:
    return f"passage_embedding_hnsw_{int(dimension)}"


def create_index_sql(dimension: int) -> str | None:
    kind = index_type(dimension)
    if kind is None:
        return None
    dim = int(dimension)
    return (
        f"CREATE INDEX IF NOT EXISTS {index_name(dim)} ON {_TABLE} "
        f"USING hnsw ((vector::{kind}({dim})) {kind}_cosine_ops) WHERE dimension = {dim}"
    )


def ensure_vector_index(dimension: int) -> None:
    """Create the HNSW index for `dimension` unless it exists (cheap after the first call)."""
    if dimension in _known:
        return
    sql = create_index_sql(dimension)
    if sql is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [index_name(dimension)])
            if cursor.fetchone() is None:
                # Inside a transaction with deferred foreign-key checks pending, PostgreSQL
                # refuses CREATE INDEX: run those checks now, then defer again.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(sql)
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    _known.add(dimension)
