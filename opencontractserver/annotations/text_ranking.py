"""The full-text side of hybrid search: which passages match the query's words, and their order.

A plain question ("how much notice to end the lease?") is looked up word by word, and passages
are ranked by BM25 over those words: each matching word counts by its inverse document frequency
in the searched scope, so a word that nearly every clause of this corpus uses ("agreement",
"days", "party") says little and a rare one ("sub-processor", "escrow") decides, and a longer
passage needs more matches to rank as high (length normalisation). PostgreSQL's own `ts_rank_cd`
knows no word frequencies; it is kept as a small second term, since its cover density rewards the
words standing close together (a defined term, a phrase). A query in web-search syntax (quotes,
`OR`, `-word`) is matched as written and ranked by `ts_rank_cd` alone: quotes ask for the phrase.

Document frequencies come from the per-word lookups themselves: in a scope smaller than
OC_SEARCH_EXACT_BELOW passages every match of every word is a candidate, so they are exact; in a
large scope each word brings at most OC_SEARCH_TEXT_CANDIDATES_PER_TERM matches (bounding the
ranking work: ranking reads every candidate's tsvector), so a common word's frequency is capped
there, which still ranks it below every rarer word.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

TEXT_SEARCH_CONFIG = "english"
BM25_K1 = 1.2
BM25_B = 0.75


@dataclass(frozen=True)
class TextSide:
    """SQL for the text candidates (CTEs) and for ranking them against query variant n."""

    ctes: str
    params: dict[str, Any]
    bm25: bool

    def ranking_sql(self, n: int) -> str:
        return _bm25_ranking(n) if self.bm25 else _cover_density_ranking(n)


def text_side(
    terms: list[str], variants: list[list[int]], *, large: bool, web_syntax: bool, scope_size: int
) -> TextSide:
    """The text side for a query's `terms`; `variants[n]` lists the terms query variant n uses."""
    if web_syntax or not terms:
        limit = settings.OC_SEARCH_MAX_TEXT_CANDIDATES if large else settings.OC_SEARCH_EXACT_BELOW
        return TextSide(_WHOLE_QUERY_CANDIDATES, {"max_text_candidates": limit}, bm25=False)
    per_term = settings.OC_SEARCH_TEXT_CANDIDATES_PER_TERM if large else scope_size
    params: dict[str, Any] = {f"term_{n}": term for n, term in enumerate(terms)}
    params.update({f"terms_{n}": "{" + ",".join(map(str, v)) + "}" for n, v in enumerate(variants)})
    params.update({"per_term": max(per_term, 1), "scope_size": max(scope_size, 1)})
    lookups = " UNION ALL ".join(_CANDIDATES_OF_TERM.format(n=n) for n in range(len(terms)))
    queries = " UNION ALL ".join(
        f"SELECT {n} AS term, websearch_to_tsquery('{TEXT_SEARCH_CONFIG}', %(term_{n})s) AS query"
        for n in range(len(terms))
    )
    ctes = f"""text_candidates AS MATERIALIZED ({lookups}),
term_idf AS MATERIALIZED (
    SELECT q.term, q.query,
           ln(1 + (%(scope_size)s - COALESCE(f.df, 0) + 0.5) / (COALESCE(f.df, 0) + 0.5)) AS idf
    FROM ({queries}) AS q
         LEFT JOIN (SELECT term, count(*) AS df FROM text_candidates GROUP BY term) AS f
         ON f.term = q.term
    WHERE numnode(q.query) > 0
),
candidate_lengths AS MATERIALIZED (SELECT DISTINCT id, length FROM text_candidates),
average_length AS MATERIALIZED (SELECT GREATEST(avg(length), 1) AS length FROM candidate_lengths)"""
    return TextSide(ctes, params, bm25=True)


# One lookup per query word, with its word as a constant: PostgreSQL sees how common each word is
# (from the column's statistics) and picks per word: the GIN index for a rare word, a plain scan
# that stops after `per_term` matches for a word found nearly everywhere. The word's frequency in
# the passage (`ts_rank_cd` of the word alone without normalisation: every occurrence is a cover
# of length one, worth the default weight 0.1) and the passage's length are read here, where the
# row's tsvector is at hand, rather than by fetching and decompressing it again for the ranking.
_CANDIDATES_OF_TERM = f"""(
    SELECT a.id, {{n}} AS term,
           ts_rank_cd(
               a.search_vector, websearch_to_tsquery('{TEXT_SEARCH_CONFIG}', %(term_{{n}})s), 0
           ) / 0.1 AS tf,
           length(a.search_vector) AS length
    FROM annotations_annotation a
    WHERE a.structural AND a.document_id = ANY(%(docs)s::bigint[])
      AND a.search_vector @@ websearch_to_tsquery('{TEXT_SEARCH_CONFIG}', %(term_{{n}})s)
    LIMIT %(per_term)s
)"""

_WHOLE_QUERY_CANDIDATES = f"""text_candidates AS MATERIALIZED (
    SELECT a.id, 0 AS term FROM annotations_annotation a
    WHERE a.structural AND a.document_id = ANY(%(docs)s::bigint[])
      AND a.search_vector @@ websearch_to_tsquery('{TEXT_SEARCH_CONFIG}', %(text_0)s)
    LIMIT %(max_text_candidates)s
)"""


def _bm25_ranking(n: int) -> str:
    """Candidates matching variant n's words, ranked 1..k by BM25 (+ cover density); each
    word's frequency in a passage comes with its lookup (`_CANDIDATES_OF_TERM`)."""
    return f"""
        SELECT m.id AS annotation_id,
               row_number() OVER (
                   ORDER BY m.score + ts_rank_cd(a.search_vector, q.query, 1) DESC, m.id
               ) AS rnk,
               LEAST(m.score / GREATEST(b.bound, 1e-9), 1.0) AS score
        FROM (
            SELECT t.id, sum(
                       t.idf * t.tf * {BM25_K1 + 1}
                       / (t.tf + {BM25_K1} * (1 - {BM25_B} + {BM25_B} * l.length / al.length))
                   ) AS score
            FROM (
                SELECT c.id, i.idf, c.tf
                FROM text_candidates c JOIN term_idf i ON i.term = c.term
                WHERE c.term = ANY(%(terms_{n})s::int[])
            ) AS t
            JOIN candidate_lengths l ON l.id = t.id, average_length al
            GROUP BY t.id
        ) AS m
        JOIN annotations_annotation a ON a.id = m.id,
        websearch_to_tsquery('{TEXT_SEARCH_CONFIG}', %(text_{n})s) AS q(query),
        (SELECT sum(idf) AS bound FROM term_idf WHERE term = ANY(%(terms_{n})s::int[])) AS b
        ORDER BY rnk
        LIMIT %(k)s
    """


def _cover_density_ranking(n: int) -> str:
    """Candidates matching query variant n as written, ranked 1..k by cover density."""
    return f"""
        SELECT a.id AS annotation_id,
               row_number() OVER (
                   ORDER BY ts_rank_cd(a.search_vector, q.query, 1) DESC, a.id
               ) AS rnk,
               ts_rank_cd(a.search_vector, q.query, 1)
               / GREATEST(max(ts_rank_cd(a.search_vector, q.query, 1)) OVER (), 1e-9) AS score
        FROM (SELECT DISTINCT id FROM text_candidates) AS c
             JOIN annotations_annotation a ON a.id = c.id,
             websearch_to_tsquery('{TEXT_SEARCH_CONFIG}', %(text_{n})s) AS q(query)
        WHERE a.search_vector @@ q.query
        ORDER BY rnk
        LIMIT %(k)s
    """
