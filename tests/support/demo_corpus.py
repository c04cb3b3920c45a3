"""The demo corpus as `manage.py seed_demo` leaves it: its user, corpus and documents."""

from __future__ import annotations

from dataclasses import dataclass

from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User


@dataclass(frozen=True)
class Demo:
    user: User
    corpus: Corpus
    documents: dict[str, Document]  # by demo source file name

    def document(self, source: str) -> Document:
        return self.documents[source]
