"""The interface between the turn runner and an agent, and how the runner finds agents.

A `ChatAgent` is built per turn by an `AgentFactory` from an `AgentScope`. `run` streams a new
turn; `resume` continues a turn paused for approval. Both yield `AgentEvent`s and end with exactly
one `RunFinished`, `RunFailed` or `ApprovalNeeded`. Cancellation is `asyncio.Task.cancel()` on
the task iterating the stream: the agent lets `CancelledError` propagate (the model call and
running tools are cancelled with it) and the runner keeps what was streamed so far.

What the runner (config/websocket/engine/runner.py) relies on:
- The factory runs in the DB thread; it is also called once per connection to read `model_label`,
  so building an agent must be cheap and must not call a model.
- When `run(query)` is called, this turn's HUMAN message and its `in_progress` LLM message are
  already saved: history loaded from `scope.conversation` must leave them out.
- `RunFinished.model_messages` replaces what a pause stored (`ApprovalNeeded.model_messages`), so
  after `resume` it must hold everything this turn added, the messages before the pause included.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from opencontractserver.conversations.message_data import PendingToolCall
from opencontractserver.conversations.subject import ChatSubject

from .events import AgentEvent

if TYPE_CHECKING:
    from opencontractserver.conversations.models import Conversation
    from opencontractserver.corpuses.models import Corpus
    from opencontractserver.documents.models import Document
    from opencontractserver.permissions import AnyUser


@dataclass(frozen=True)
class AgentScope:
    """Who asks, about what, in which conversation (None for anonymous chats, never persisted)."""

    user: AnyUser
    conversation: Conversation | None
    subject: ChatSubject

    @property
    def document(self) -> Document | None:
        return self.subject.document

    @property
    def corpus(self) -> Corpus | None:
        return self.subject.corpus


@dataclass(frozen=True)
class PausedRun:
    """A run waiting for a decision, as stored on its LLM ChatMessage."""

    pending_tool_call: PendingToolCall
    model_messages: list[dict[str, Any]]


class ChatAgent(Protocol):
    @property
    def model_label(self) -> str:
        """Which model answers, as shown to the user (SYNC_STATE.model)."""
        ...

    def run(self, query: str) -> AsyncIterator[AgentEvent]:
        """Stream a new turn answering `query`, with the conversation's history as context."""
        ...

    def resume(self, paused: PausedRun, approved: bool) -> AsyncIterator[AgentEvent]:
        """Continue a paused turn: run the tool once if approved, tell the model if rejected."""
        ...


AgentFactory = Callable[[AgentScope], ChatAgent]


def get_agent_factory() -> AgentFactory:
    """The factory named by the OC_AGENT_FACTORY setting (tests swap in scripted agents)."""
    factory: AgentFactory = import_string(settings.OC_AGENT_FACTORY)
    return factory
