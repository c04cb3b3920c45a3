"""Chat across every document of a corpus (PROTOCOL §1)."""

from __future__ import annotations

from typing import Any

from config.websocket.ids import decode_object_id
from opencontractserver.conversations.subject import ChatSubject
from opencontractserver.corpuses.models import Corpus

from .base import ChatConsumer


class CorpusQueryConsumer(ChatConsumer):
    """`ws/corpus/<corpus_id>/query/`."""

    def resolve_subject(self, user: Any) -> ChatSubject | None:
        """The corpus if it exists and the user may read it; otherwise None."""
        corpus_id = decode_object_id(
            self.scope["url_route"]["kwargs"].get("corpus_id"), "CorpusType"
        )
        if corpus_id is None:
            return None
        corpus = Corpus.objects.visible_to(user).filter(pk=corpus_id).first()
        if corpus is None:
            return None
        return ChatSubject(document=None, corpus=corpus)
