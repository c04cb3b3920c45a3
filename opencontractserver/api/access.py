"""Fetching one object for a caller: visible or 404, writable or 403 (visible) / 404 (not)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from opencontractserver.api.errors import not_found, permission_denied


def readable_or_404(visible: QuerySet[Any], what: str, pk: int) -> Any:
    """The object `pk` of `visible` (a `visible_to(user)` queryset), else a 404."""
    obj = visible.filter(pk=pk).first()
    if obj is None:
        raise not_found(what, pk)
    return obj


def writable_or_error(visible: QuerySet[Any], writable: QuerySet[Any], what: str, pk: int) -> Any:
    """The object `pk` if the caller may change it; 404 if they cannot even see it, else 403."""
    obj = writable.filter(pk=pk).first()
    if obj is not None:
        return obj
    if visible.filter(pk=pk).exists():
        raise permission_denied(f"You may read {what.lower()} {pk} but not change it.")
    raise not_found(what, pk)
