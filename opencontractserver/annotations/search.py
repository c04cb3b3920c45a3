"""Finding the passages that answer a query, always within what the user may see.

First version: PostgreSQL full-text search over structural passages. The Retrieval issue makes it
hybrid (pgvector + full text fused by reciprocal rank) behind the same signature.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

from config.websocket.protocol import Source

from .models import Annotation

if TYPE_CHECKING:
    from opencontractserver.permissions import AnyUser


def search_passages(
    user: AnyUser | None,
    query: str,
    *,
    document_id: int | None = None,
    corpus_id: int | None = None,
    limit: int = 8,
) -> list[Source]:
    """The passages that best match `query` in a document or a corpus the user may read."""
    from opencontractserver.corpuses.models import Corpus

    passages = Annotation.objects.visible_to(user).filter(structural=True)
    if document_id is not None:
        passages = passages.filter(document_id=document_id)
    if corpus_id is not None:
        if not Corpus.objects.visible_to(user).filter(pk=corpus_id).exists():
            return []
        passages = passages.filter(document__corpuses=corpus_id)
    ts_query = SearchQuery(query, search_type="websearch", config="english")
    ranked = (
        passages.annotate(rank=SearchRank(SearchVector("raw_text", config="english"), ts_query))
        .filter(rank__gt=0)
        .order_by("-rank", "id")[:limit]
    )
    return [
        Source(
            annotation_id=a.pk,
            document_id=a.document_id,
            corpus_id=corpus_id,
            page=a.page,
            char_start=a.char_start,
            char_end=a.char_end,
            rawText=a.raw_text,
            json=a.json,
            label=a.label,
            score=float(a.rank),
        )
        for a in ranked
    ]
