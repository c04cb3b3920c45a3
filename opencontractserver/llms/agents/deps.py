"""What every tool receives through `RunContext[AgentDeps]`: who asks, about what, in which turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic_ai.models import Model

from .citations import CitationRegistry
from .interface import AgentScope

if TYPE_CHECKING:
    from opencontractserver.conversations.models import Conversation
    from opencontractserver.permissions import AnyUser


@dataclass
class RunCosts:
    """Cost of model responses that are not in the parent run's messages (sub-agents)."""

    usd: float | None = 0.0

    def add(self, usd: float | None) -> None:
        self.usd = None if usd is None or self.usd is None else self.usd + usd


@dataclass
class AgentDeps:
    """Typed dependencies of one turn. Tools read ids from here, never from the model."""

    scope: AgentScope
    model: Model
    citations: CitationRegistry = field(default_factory=CitationRegistry)
    costs: RunCosts = field(default_factory=RunCosts)
    history_summary: str = ""

    @property
    def user(self) -> AnyUser:
        return self.scope.user

    @property
    def conversation(self) -> Conversation | None:
        return self.scope.conversation

    @property
    def document_id(self) -> int | None:
        return self.scope.document.pk if self.scope.document is not None else None

    @property
    def corpus_id(self) -> int | None:
        return self.scope.corpus.pk if self.scope.corpus is not None else None
