"""The one paging shape of every list: `{items, count, page, page_size}`.

A page past the end is empty (with the true `count`), never an error.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from opencontractserver.api.schemas import PageParams


def paginate(queryset: QuerySet[Any], params: PageParams) -> dict[str, Any]:
    count = queryset.count()
    start = (params.page - 1) * params.page_size
    items = list(queryset[start : start + params.page_size]) if start < count else []
    return {"items": items, "count": count, "page": params.page, "page_size": params.page_size}
