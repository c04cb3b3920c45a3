"""Chat about one document, optionally inside a corpus it belongs to (PROTOCOL §1)."""

from __future__ import annotations

from typing import Any

from config.websocket.ids import decode_object_id
from opencontractserver.conversations.subject import ChatSubject
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document

from .base import ChatConsumer


class DocumentQueryConsumer(ChatConsumer):
    """`ws/document/<document_id>/query/` and `…/query/corpus/<corpus_id>/`."""

    def resolve_subject(self, user: Any) -> ChatSubject | None:
        """The readable document (in its readable corpus, if the route names one), else None."""
        kwargs = self.scope["url_route"]["kwargs"]
        document_id = decode_object_id(kwargs.get("document_id"), "DocumentType")
        if document_id is None:
            return None
        document = Document.objects.visible_to(user).filter(pk=document_id).first()
        if document is None:
            return None
        if "corpus_id" not in kwargs:
            return ChatSubject(document=document, corpus=None)
        corpus_id = decode_object_id(kwargs["corpus_id"], "CorpusType")
        if corpus_id is None:
            return None
        corpus = Corpus.objects.visible_to(user).filter(pk=corpus_id, documents=document).first()
        if corpus is None:
            return None
        return ChatSubject(document=document, corpus=corpus)
