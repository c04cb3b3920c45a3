"""WebSocket routes (PROTOCOL §1)."""

from typing import Any

from django.urls import path

from .consumers.corpus_conversation import CorpusQueryConsumer
from .consumers.document_conversation import DocumentQueryConsumer

websocket_urlpatterns: list[Any] = [
    path(
        "ws/document/<str:document_id>/query/corpus/<str:corpus_id>/",
        DocumentQueryConsumer.as_asgi(),
    ),
    path("ws/document/<str:document_id>/query/", DocumentQueryConsumer.as_asgi()),
    path("ws/corpus/<str:corpus_id>/query/", CorpusQueryConsumer.as_asgi()),
]
