"""The objects the HTTP API tests share: who owns, reads, writes and is a stranger, and what."""

from __future__ import annotations

from dataclasses import dataclass

from opencontractserver.annotations.models import Annotation
from opencontractserver.conversations.models import ChatMessage, Conversation
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User


@dataclass
class World:
    """A private corpus with one document, shared read with `reader` and write with `writer`,
    and the owner's conversation about that document, shared the same way."""

    owner: User
    reader: User
    writer: User
    stranger: User
    third: User
    corpus: Corpus
    document: Document
    annotation: Annotation
    conversation: Conversation
    message: ChatMessage
