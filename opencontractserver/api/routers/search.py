"""GET /api/search: hybrid passage search in a document or a corpus the caller may read."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from config.websocket.protocol import Source
from opencontractserver.annotations.search import hybrid_search, resolve_scope
from opencontractserver.permissions import AnyUser
from opencontractserver.users.models import User

router = Router(tags=["search"])

MAX_RESULTS = 50


class SearchError(Schema):
    code: str
    message: str


class SearchParams(Schema):
    q: str
    document: int | None = None
    corpus: int | None = None
    limit: int = 8


@router.get(
    "/search",
    response={200: list[Source], 400: SearchError, 404: SearchError},
    by_alias=True,
    summary="Search passages by meaning and by words",
)
def search(request: HttpRequest, params: Query[SearchParams]) -> Status[list[Source] | SearchError]:
    """The best passages for `q` in `document` and/or `corpus`, best first (`score` 0..1)."""
    query = params.q.strip()
    if not query or len(query) > settings.OC_MAX_QUERY_CHARS:
        limit = settings.OC_MAX_QUERY_CHARS
        return _error(400, "invalid_query", f"q must be 1 to {limit} characters.")
    if params.document is None and params.corpus is None:
        return _error(400, "scope_required", "Give document= or corpus=.")
    if not 1 <= params.limit <= MAX_RESULTS:
        return _error(400, "invalid_limit", f"limit must be between 1 and {MAX_RESULTS}.")
    scope = resolve_scope(_caller(request), document_id=params.document, corpus_id=params.corpus)
    if not scope.found:
        return _error(404, "not_found", "No such document or corpus.")
    return Status(200, hybrid_search(query, scope, limit=params.limit))


def _error(status: int, code: str, message: str) -> Status[list[Source] | SearchError]:
    return Status(status, SearchError(code=code, message=message))


def _caller(request: HttpRequest) -> AnyUser:
    """The authenticated user (token auth sets `request.auth`, sessions `request.user`)."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, User):
        return auth
    return request.user
