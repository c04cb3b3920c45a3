"""Which documents a query names by their title, and the query without those naming words.

"Which law governs the *sublease*?" names a document: the word says which document, not what the
passage says. Left in the query, it makes the passage that repeats the title most (the opening
one: "This Office Sublease Agreement is made between ...") outrank the governing-law clause of
that document. So a word that names documents is taken out of the ranking query and given to the
document instead: the documents whose titles have it gain a boost (search.py), and the passages are
ranked by the rest of the question.

A title word names documents when at most half of the scope's documents have it in their title:
"agreement" in a corpus of agreements names nothing, and inside one document nothing is named. A
word's weight is 1 - (share of the scope's documents whose title has it), as an inverse document
frequency over titles; a document's weight is the sum over the query words its title has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.backends.utils import CursorWrapper

TEXT_SEARCH_CONFIG = "english"
NAMING_SHARE = 0.5  # a title word in at most this share of the scope's titles names documents
_WORD = re.compile(r"\w+(?:['-]\w+)*")


@dataclass(frozen=True)
class NamedDocuments:
    """The documents a query names, with their weights, and the query to rank passages by."""

    weights: dict[int, float] = field(default_factory=dict)  # document id -> title weight
    ranking_query: str = ""

    @property
    def any(self) -> bool:
        return bool(self.weights)


def named_documents(
    cursor: CursorWrapper, query: str, document_ids_literal: str, documents: int
) -> NamedDocuments:
    """Match the query's words against the titles of the scope's documents (one SQL statement,
    through the index of `Document.title_search_vector`).

    `document_ids_literal` is the scope as a PostgreSQL array literal ("{1,2,3}"), `documents`
    its size.
    """
    words = _WORD.findall(query)
    if not words or documents < 1:
        return NamedDocuments(ranking_query=query)
    cursor.execute(_TITLE_MATCHES_SQL, {"words": " or ".join(words), "docs": document_ids_literal})
    rows = cursor.fetchall()
    if not rows:
        return NamedDocuments(ranking_query=query)
    share: dict[str, int] = {}
    for _, lexeme in rows:
        share[lexeme] = share.get(lexeme, 0) + 1
    naming = {lexeme for lexeme, n in share.items() if n <= NAMING_SHARE * documents}
    if not naming:
        return NamedDocuments(ranking_query=query)
    weights: dict[int, float] = {}
    for document_id, lexeme in rows:
        if lexeme in naming:
            weight = 1.0 - share[lexeme] / documents
            weights[int(document_id)] = weights.get(int(document_id), 0.0) + weight
    return NamedDocuments(weights, _without_words(cursor, query, naming))


def _without_words(cursor: CursorWrapper, query: str, lexemes: set[str]) -> str:
    """`query` without the words that name documents (all of it if nothing would remain).

    Each naming lexeme is taken out once, where it first occurs: the title mention uses it up,
    a second use is the question's own ("under the *data* processing addendum, what may they
    use our *data* for?").
    """
    words = _WORD.findall(query)
    if not words:
        return query
    cursor.execute(
        "SELECT w, ARRAY(SELECT lexeme FROM unnest(to_tsvector(%s, w)))"
        " FROM unnest(%s::text[]) AS w",
        [TEXT_SEARCH_CONFIG, words],
    )
    lexemes_of = dict(cursor.fetchall())
    unused = set(lexemes)
    kept = []
    for word in words:
        naming = set(lexemes_of.get(word) or []) & unused
        if naming:
            unused -= naming
        else:
            kept.append(word)
    content = [w for w in kept if lexemes_of.get(w)]  # something besides stop words remains
    return " ".join(kept) if content else query


# Every (document, lexeme) where a title in scope has a query lexeme. The words come as one
# constant "w1 or w2 ..." so that PostgreSQL can use the title index for the match.
_TITLE_MATCHES_SQL = f"""
WITH query AS (SELECT websearch_to_tsquery('{TEXT_SEARCH_CONFIG}', %(words)s) AS q)
SELECT d.id, t.lexeme
FROM documents_document d, query, unnest(d.title_search_vector) AS t
WHERE d.title_search_vector @@ query.q AND d.id = ANY(%(docs)s::bigint[])
  AND t.lexeme = ANY(tsvector_to_array(to_tsvector('{TEXT_SEARCH_CONFIG}', %(words)s)))
"""
