"""WebSocket routes (PROTOCOL §1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import URLPattern, path

from .consumers.corpus_conversation import CorpusQueryConsumer
from .consumers.document_conversation import DocumentQueryConsumer

if TYPE_CHECKING:
    from channels.consumer import _ASGIApplicationProtocol


def _route(route: str, application: _ASGIApplicationProtocol) -> URLPattern:
    """Channels routes ASGI applications with Django's `path()`, which django-stubs types for
    views only (the one ignore of the routes)."""
    return path(route, application)  # type: ignore[arg-type]


websocket_urlpatterns: list[Any] = [
    _route(
        "ws/document/<str:document_id>/query/corpus/<str:corpus_id>/",
        DocumentQueryConsumer.as_asgi(),
    ),
    _route("ws/document/<str:document_id>/query/", DocumentQueryConsumer.as_asgi()),
    _route("ws/corpus/<str:corpus_id>/query/", CorpusQueryConsumer.as_asgi()),
]
