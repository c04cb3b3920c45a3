"""What a chat is about: one document (maybe inside a corpus) or a whole corpus.

The one subject type of every layer: the consumer resolves it from the route, the turn store
files conversations under it, the agents answer about it (`AgentScope.subject`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opencontractserver.corpuses.models import Corpus
    from opencontractserver.documents.models import Document


@dataclass(frozen=True)
class ChatSubject:
    """A document (with the corpus it is read in, if any), or a corpus alone."""

    document: Document | None
    corpus: Corpus | None

    @property
    def document_id(self) -> int | None:
        return self.document.pk if self.document is not None else None

    @property
    def corpus_id(self) -> int | None:
        return self.corpus.pk if self.corpus is not None else None
