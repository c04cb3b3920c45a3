"""Finding the passages that answer a query, always within what the user may see.

Hybrid search: the query's vector is compared with the passages' vectors (pgvector cosine
distance, through the HNSW index of its dimension when the scope is large, exactly when it is
small), the query's words with the passages' `search_vector` (PostgreSQL full text ranked by
BM25: annotations/text_ranking.py), and the two are fused. Vector search finds passages that say
the same thing in other words; full text finds exact terms (names, numbers, defined terms) that
an embedder blurs. One SQL statement does both and the fusion.

Fusion (OC_SEARCH_FUSION): by default by *scores*. Every candidate either side found gets its
cosine similarity to the query vector, min-max normalised over the candidates (the nearest 1,
the farthest 0), plus OC_SEARCH_TEXT_WEIGHT times its BM25 score as a share of what a passage
holding every query word once would score (Σ idf of the query's words; capped at 1): a
paraphrase that shares one common word with a passage gets a small text score, a keyword lookup
that the passage matches in full gets 1. So full text speaks loudly only when the passage holds
the query's words, and vectors decide the paraphrases, where reciprocal rank fusion gave a
text-only first place the weight of a vector first place. `ranks` is that reciprocal rank
fusion (weight / (k + rank) summed), kept for comparison.

Document titles count too (annotations/named_documents.py): a query word that names documents by
their title ("which law governs the *sublease*?") boosts those documents, and is left out of a
second pair of rankings, so that inside the named document the relevant passage wins rather than
the one that repeats the title. The two query variants' scores are averaged; a named document's
passages gain its title weight times OC_SEARCH_TITLE_BOOST, in units of a first place on an
average side ((1 + text weight) / 2). `score` is the fused score divided by the larger of 2 (a
first place on both sides at text weight 1) and the best score found. Titles are matched through
the GIN index of `Document.title_search_vector`, a column PostgreSQL keeps.

Cost is bounded in large scopes (OC_SEARCH_EXACT_BELOW passages or more): the vector side walks
the HNSW index (iterative scan, so filters on scope still fill the candidate list), and the full
text side ranks at most OC_SEARCH_TEXT_CANDIDATES_PER_TERM matches per query word, because
ranking reads every candidate's tsvector and a common word matches most passages. Small scopes
(a document, a small corpus) are searched exactly.

Scope: the documents the user may read (`Document.objects.visible_to`), narrowed to one
document and/or one corpus the user may read. Only vectors of the configured embedder count.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import EllipsisType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from opencontractserver.annotations.named_documents import NamedDocuments, named_documents
from opencontractserver.annotations.sources import Source
from opencontractserver.annotations.text_ranking import text_side
from opencontractserver.annotations.vector_indexes import index_type
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.llms.embeddings import PassageEmbedder, get_embedder
from opencontractserver.shared.db_threads import run_for_turn

if TYPE_CHECKING:
    from opencontractserver.permissions import AnyUser

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

TEXT_SEARCH_CONFIG = "english"
HNSW_EF_SEARCH = 100
MAX_QUERY_TERMS = 32
_WEBSEARCH_SYNTAX = re.compile(r'"|(^|\s)-\w|\sOR\s')
_QUERY_WORD = re.compile(r"\w+(?:['-]\w+)*")


@dataclass(frozen=True)
class SearchScope:
    """The documents a search looks in, and the corpus its sources are reported under.

    `found` is False when the named document or corpus is missing or hidden from the user.
    """

    document_ids: list[int]
    corpus_id: int | None
    found: bool = True


def search_passages(
    user: AnyUser | None,
    query: str,
    *,
    document_id: int | None = None,
    corpus_id: int | None = None,
    limit: int = 8,
) -> list[Source]:
    """The passages that best match `query` in a document or a corpus the user may read.

    Synchronous (ORM and possibly a network embedder): async code calls
    `search_passages_async` instead, which embeds the query in async code and runs only the SQL
    on the database thread. Returns [] when the scope is not visible, exactly as when it is
    missing.
    """
    query = query.strip()
    if not query or limit <= 0:
        return []
    scope = resolve_scope(user, document_id=document_id, corpus_id=corpus_id)
    if not scope.document_ids:
        return []
    return hybrid_search(query, scope, limit=limit)


async def search_passages_async(
    user: AnyUser | None,
    query: str,
    *,
    document_id: int | None = None,
    corpus_id: int | None = None,
    limit: int = 8,
) -> list[Source]:
    """`search_passages` for async callers (the agents' tools): the scope and the ranking SQL run
    on the database thread, the query's embedding (a network call with a remote embedder) is
    awaited between them, so it never holds that thread."""
    query = query.strip()
    if not query or limit <= 0:
        return []
    scope = await run_for_turn(resolve_scope, user, document_id=document_id, corpus_id=corpus_id)
    return await hybrid_search_async(query, scope, limit=limit)


async def hybrid_search_async(
    query: str, scope: SearchScope, *, limit: int, in_request: bool = False
) -> list[Source]:
    """`hybrid_search` from async code (the agents' tools, GET /api/search): the title match
    and the ranking SQL run on the database thread, the query's embedding (a network call with a
    remote embedder) is awaited between them, so it never holds that thread.

    `in_request`: called from an async view, whose request Django already wraps in connection
    checks: the SQL runs through `sync_to_async` (the request's thread); otherwise on the turn
    lane of the database threads (opencontractserver/shared/db_threads.py), never on Channels'
    one database thread."""
    if not scope.document_ids:
        return []
    plan = await _on_database_thread(in_request, plan_search, query, scope)
    embedder = get_embedder()
    vectors = [await query_vector_async(embedder, ranked) for ranked in plan.queries]
    return await _on_database_thread(
        in_request, hybrid_search, query, scope, limit=limit, plan=plan, vectors=vectors
    )


async def _on_database_thread(
    in_request: bool, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs
) -> R:
    if in_request:
        return await sync_to_async(function)(*args, **kwargs)
    return await run_for_turn(function, *args, **kwargs)


def resolve_scope(
    user: AnyUser | None, *, document_id: int | None = None, corpus_id: int | None = None
) -> SearchScope:
    """The ids of the documents in scope that `user` may read (empty if the scope is hidden)."""
    documents = Document.objects.visible_to(user)
    if corpus_id is not None:
        if not Corpus.objects.visible_to(user).filter(pk=corpus_id).exists():
            return SearchScope([], corpus_id, found=False)
        documents = documents.filter(corpuses=corpus_id)
    if document_id is not None:
        documents = documents.filter(pk=document_id)
    document_ids = list(documents.order_by().values_list("pk", flat=True))
    found = bool(document_ids) or document_id is None
    return SearchScope(document_ids, corpus_id, found=found)


@dataclass(frozen=True)
class SearchPlan:
    """What a search ranks: the question as asked and, when it names documents by their titles,
    the question without the naming words (`queries`), and the named documents' weights."""

    queries: list[str]
    named: NamedDocuments


def plan_search(query: str, scope: SearchScope) -> SearchPlan:
    """The SQL-only first step of a search (document titles matched against the query)."""
    with connection.cursor() as cursor:
        named = (
            NamedDocuments(ranking_query=query)  # one document: a title names nothing
            if _WEBSEARCH_SYNTAX.search(query) or len(scope.document_ids) < 2
            else named_documents(
                cursor, query, _id_array(scope.document_ids), len(scope.document_ids)
            )
        )
    queries = [query] if named.ranking_query == query else [query, named.ranking_query]
    return SearchPlan(queries, named)


def hybrid_search(
    query: str,
    scope: SearchScope,
    *,
    limit: int,
    plan: SearchPlan | None = None,
    vectors: list[list[float] | None] | EllipsisType = ...,
) -> list[Source]:
    """Rank the passages of `scope.document_ids` for `query` (no permission check here).

    `plan` and `vectors` (one per `plan.queries`, None: full text only for that one) come from a
    caller that embedded the queries already, in async code; left out, both are made here,
    synchronously."""
    if not scope.document_ids:
        return []
    embedder = get_embedder()
    docs = _id_array(scope.document_ids)
    plan = plan or plan_search(query, scope)
    queries, named = plan.queries, plan.named
    if isinstance(vectors, EllipsisType):
        vectors = [_query_vector(embedder.embed_query, q) for q in queries]
    candidates = max(settings.OC_SEARCH_CANDIDATES, limit)
    rrf_k = settings.OC_SEARCH_RRF_K
    params: dict[str, Any] = {
        "docs": docs,
        "k": candidates,
        "rrf_k": rrf_k,
        "limit": limit,
        "variants": len(queries),
        "embedder": embedder.name,
        "title_boost": float(settings.OC_SEARCH_TITLE_BOOST),
        "named_ids": _id_array(list(named.weights)),
        "named_weights": "{" + ",".join(f"{w:.6f}" for w in named.weights.values()) + "}",
    }
    terms = query_terms(query)
    variants = [[n for n, term in enumerate(terms) if term in query_terms(q)] for q in queries]
    with transaction.atomic(), connection.cursor() as cursor:
        size = _scope_size(cursor, embedder.name, scope.document_ids)
        large = size >= settings.OC_SEARCH_EXACT_BELOW
        text = text_side(
            terms,
            variants,
            large=large,
            web_syntax=bool(_WEBSEARCH_SYNTAX.search(query)),
            scope_size=size,
        )
        params.update(text.params)
        rankings: list[Ranking] = []
        params["text_weight"] = float(settings.OC_SEARCH_TEXT_WEIGHT or embedder.text_weight)
        for n, (ranked_query, vector) in enumerate(zip(queries, vectors, strict=True)):
            params[f"text_{n}"] = full_text_query(ranked_query)
            rankings.append(Ranking(text.ranking_sql(n), "text", n))
            if vector is None:
                continue
            params[f"vector_{n}"] = _vector_literal(vector)
            approximate = large and index_type(len(vector)) is not None
            if approximate and n == 0:
                cursor.execute(
                    f"SET LOCAL hnsw.ef_search = {max(HNSW_EF_SEARCH, candidates)};"
                    " SET LOCAL hnsw.iterative_scan = relaxed_order"
                )
            rankings.append(Ranking(_vector_ranking_sql(len(vector), approximate, n), "vector", n))
        by_scores = settings.OC_SEARCH_FUSION == "scores"
        cursor.execute(_hybrid_sql(rankings, text.ctes, by_scores=by_scores), params)
        rows = cursor.fetchall()
    best = max([2.0 if by_scores else 2.0 / (rrf_k + 1)] + [float(row[8]) for row in rows])
    return [
        Source(
            annotation_id=row[0],
            document_id=row[1],
            corpus_id=scope.corpus_id,
            page=row[2],
            char_start=row[3],
            char_end=row[4],
            rawText=row[5],
            json_=_json(row[6]),
            label=row[7],
            score=round(float(row[8]) / best, 6),
        )
        for row in rows
    ]


def full_text_query(query: str) -> str:
    """The text given to `websearch_to_tsquery`.

    A query written in web-search syntax (quotes, `OR`, `-word`) is taken as written. A plain
    question becomes the disjunction of its words: websearch's default AND would demand every
    word of "how much notice is needed to end the lease" in one passage and find nothing.
    """
    if _WEBSEARCH_SYNTAX.search(query):
        return query
    return " or ".join(query_terms(query))


def query_terms(query: str) -> list[str]:
    """The distinct words of a query (at most MAX_QUERY_TERMS), in order."""
    return list(dict.fromkeys(w.lower() for w in _QUERY_WORD.findall(query)))[:MAX_QUERY_TERMS]


def _query_vector(embed: Callable[[str], list[float]], query: str) -> list[float] | None:
    """The query's vector, or None (text-only search) if it has none or the embedder fails."""
    try:
        vector = embed(query)
    except Exception:
        logger.exception("Embedding the query failed; searching by full text only")
        return None
    return _usable(vector)


async def query_vector_async(embedder: PassageEmbedder, query: str) -> list[float] | None:
    """`_query_vector` awaited: the embedding never runs on a database thread."""
    try:
        vector = await embedder.aembed_query(query)
    except Exception:
        logger.exception("Embedding the query failed; searching by full text only")
        return None
    return _usable(vector)


def _usable(vector: list[float]) -> list[float] | None:
    return vector if any(vector) else None


def _id_array(ids: list[int]) -> str:
    """An array literal of ids, built once: the SQL uses it several times, and psycopg's
    element-by-element dumping of a long Python list costs more than the query itself."""
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


def _vector_literal(vector: list[float]) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in vector) + "]"


def _scope_size(cursor: CursorWrapper, embedder: str, document_ids: list[int]) -> int:
    """How many passages the scope holds, counted up to OC_SEARCH_EXACT_BELOW: at that size
    search walks the HNSW index and caps full-text candidates (a "large" scope)."""
    cursor.execute(
        "SELECT count(*) FROM (SELECT 1 FROM annotations_passageembedding"
        " WHERE embedder = %s AND document_id = ANY(%s::bigint[]) LIMIT %s) AS scoped",
        [embedder, _id_array(document_ids), settings.OC_SEARCH_EXACT_BELOW],
    )
    row = cursor.fetchone()
    return int(row[0]) if row is not None else 0


def _json(value: Any) -> dict[str, Any]:
    """A jsonb column read through a raw cursor (Django leaves it as text)."""
    loaded = json.loads(value) if isinstance(value, str | bytes) else value
    return loaded if isinstance(loaded, dict) else {}


def _vector_ranking_sql(dimension: int, approximate: bool, n: int = 0) -> str:
    """Nearest passages by cosine distance, ranked 1..k.

    The approximate form repeats the partial index's expression and predicate so that PostgreSQL
    uses the HNSW index; the exact form computes the distance of every vector in scope.
    """
    dim = int(dimension)
    kind = index_type(dim) or "vector"
    if approximate:
        distance = f"e.vector::{kind}({dim}) <=> %(vector_{n})s::{kind}({dim})"
    else:
        distance = f"e.vector <=> %(vector_{n})s::vector"
    return f"""
        SELECT annotation_id, row_number() OVER (ORDER BY distance, annotation_id) AS rnk,
               1 - distance AS score
        FROM (
            SELECT e.annotation_id, {distance} AS distance
            FROM annotations_passageembedding e
            WHERE e.embedder = %(embedder)s AND e.dimension = {dim}
              AND e.document_id = ANY(%(docs)s::bigint[])
            ORDER BY distance
            LIMIT %(k)s
        ) AS nearest
    """


@dataclass(frozen=True)
class Ranking:
    """One ranked candidate list: its SQL (annotation_id, rnk, score), its side, its variant."""

    sql: str
    side: str  # "vector" or "text"
    variant: int


def _hybrid_sql(rankings: list[Ranking], text_ctes: str, *, by_scores: bool) -> str:
    """One statement: every ranking, their fusion, the title boost, the rows."""
    ranked = "\n        UNION ALL\n".join(
        f"SELECT annotation_id, rnk, score, {r.variant} AS variant, '{r.side}' AS side,"
        f" {'1.0' if r.side == 'vector' else '%(text_weight)s'} AS weight"
        f" FROM ({r.sql}) AS ranking_{n}"
        for n, r in enumerate(rankings)
    )
    fused = _score_fusion(rankings) if by_scores else _RANK_FUSION
    # A title weight of 1 is worth a first place on an average side: (1 + text weight) / 2.
    title_unit = (
        "(1 + %(text_weight)s) / 2.0"
        if by_scores
        else "(1 + %(text_weight)s) / 2.0 / (%(rrf_k)s + 1)"
    )
    return f"""
WITH {text_ctes},
ranked AS MATERIALIZED ({ranked}),
{fused},
title_scores AS (
    SELECT unnest(%(named_ids)s::bigint[]) AS document_id,
           unnest(%(named_weights)s::float8[]) AS weight
)
SELECT a.id, a.document_id, a.page, a.char_start, a.char_end, a.raw_text, a.json, a.label,
       c.score + COALESCE(ts.weight, 0) * %(title_boost)s * {title_unit} AS score
FROM fused c
     JOIN annotations_annotation a ON a.id = c.annotation_id
     LEFT JOIN title_scores ts ON ts.document_id = a.document_id
ORDER BY score DESC, a.id
LIMIT %(limit)s
"""


# Reciprocal rank fusion: a passage scores the sum of weight / (k + rank) over the rankings it
# appears in, divided by the number of query variants (so the scale stays one query's).
_RANK_FUSION = """fused AS (
    SELECT annotation_id, sum(weight / (%(rrf_k)s + rnk)) / %(variants)s AS score
    FROM ranked GROUP BY annotation_id
)"""


def _score_fusion(rankings: list[Ranking]) -> str:
    """Score fusion: every candidate of any list gets its cosine similarity to each query vector
    (normalised over the candidates) and its normalised full-text score (0 where it matched no
    word); a passage scores their weighted sum, averaged over the query variants."""
    variants = sorted({r.variant for r in rankings if r.side == "vector"})
    similarity = (
        "\n        UNION ALL\n".join(
            f"SELECT c.annotation_id, {n} AS variant,"
            f" 1 - (e.vector <=> %(vector_{n})s::vector) AS sim"
            " FROM candidates c JOIN annotations_passageembedding e"
            " ON e.annotation_id = c.annotation_id AND e.embedder = %(embedder)s"
            for n in variants
        )
        or "SELECT NULL::bigint AS annotation_id, 0 AS variant, 0.0::float8 AS sim WHERE false"
    )
    return f"""candidates AS MATERIALIZED (SELECT DISTINCT annotation_id FROM ranked),
similarity AS MATERIALIZED ({similarity}),
bounds AS (SELECT variant, max(sim) AS top, min(sim) AS bottom FROM similarity GROUP BY variant),
parts AS (
    SELECT s.annotation_id,
           CASE WHEN b.top > b.bottom THEN (s.sim - b.bottom) / (b.top - b.bottom) ELSE 1 END
           AS part
    FROM similarity s JOIN bounds b ON b.variant = s.variant
    UNION ALL
    SELECT annotation_id, weight * score AS part FROM ranked WHERE side = 'text'
),
fused AS (
    SELECT annotation_id, sum(part) / %(variants)s AS score FROM parts GROUP BY annotation_id
)"""
