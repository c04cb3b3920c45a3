"""GET /api/search: hybrid passage search in a document or a corpus the caller may read."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema

from opencontractserver.annotations.search import hybrid_search_async, resolve_scope
from opencontractserver.annotations.sources import Source
from opencontractserver.api.auth import AUTH_OPTIONAL, caller
from opencontractserver.api.errors import ApiError
from opencontractserver.api.schemas import ERRORS, ErrorOut

router = Router(tags=["search"])

MAX_RESULTS = 50


class SearchParams(Schema):
    q: str
    document: int | None = None
    corpus: int | None = None
    limit: int = 8


@router.get(
    "/search",
    auth=AUTH_OPTIONAL,
    response={200: list[Source], 400: ErrorOut, **ERRORS},
    by_alias=True,
    summary="Search passages by meaning and by words",
)
async def search(request: HttpRequest, params: Query[SearchParams]) -> list[Source]:
    """The best passages for `q` in `document` and/or `corpus`, best first (`score` 0..1).

    Async: the query is embedded in async code (a remote embedder's request would otherwise
    hold the one thread that every sync view and `database_sync_to_async` share under ASGI);
    only the scope check and the SQL run on that thread."""
    query = params.q.strip()
    if not query or len(query) > settings.OC_MAX_QUERY_CHARS:
        limit = settings.OC_MAX_QUERY_CHARS
        raise ApiError(400, "invalid_query", f"q must be 1 to {limit} characters.")
    if params.document is None and params.corpus is None:
        raise ApiError(400, "scope_required", "Give document= or corpus=.")
    if not 1 <= params.limit <= MAX_RESULTS:
        raise ApiError(400, "invalid_limit", f"limit must be between 1 and {MAX_RESULTS}.")
    scope = await sync_to_async(resolve_scope)(
        caller(request), document_id=params.document, corpus_id=params.corpus
    )
    if not scope.found:
        raise ApiError(404, "not_found", "No such document or corpus.")
    return await hybrid_search_async(query, scope, limit=params.limit, in_request=True)
