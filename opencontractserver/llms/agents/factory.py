"""Build the agents: `build_agent(scope)` is the AgentFactory the turn runner uses.

`for_document` answers about one document (optionally inside a corpus); `for_corpus` answers
across a corpus and can hand single documents to a document sub-agent. Both return a
`PydanticChatAgent` over a pydantic-ai Agent with typed deps (`RunContext[AgentDeps]`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic_ai.models import Model

from opencontractserver.conversations.subject import ChatSubject

from .chat_agent import PydanticChatAgent
from .corpus_agent import corpus_agent
from .document_agent import document_agent
from .interface import AgentScope, ChatAgent
from .model_config import choice_for

if TYPE_CHECKING:
    from opencontractserver.conversations.models import Conversation
    from opencontractserver.corpuses.models import Corpus
    from opencontractserver.documents.models import Document
    from opencontractserver.permissions import AnyUser


def _model_source(model: Model | None, corpus: Corpus | None) -> tuple[Callable[[], Model], str]:
    """How to build each turn's model, and its label: `model` if given, else the corpus's
    override, else the OC_LLM_MODEL setting."""
    if model is not None:
        return (lambda: model), model.model_name
    choice = choice_for(corpus)
    return choice.build, choice.label


def for_document(
    document: Document,
    corpus: Corpus | None = None,
    *,
    user: AnyUser,
    conversation: Conversation | None,
    model: Model | None = None,
) -> PydanticChatAgent:
    """An agent about one document; `model` overrides the configured one (tests, scripts).

    Inside a corpus, the corpus's `llm_model` (when set) answers instead of OC_LLM_MODEL."""
    model_factory, label = _model_source(model, corpus)
    return PydanticChatAgent(
        agent=document_agent(),
        scope=AgentScope(user, conversation, ChatSubject(document, corpus)),
        model_factory=model_factory,
        label=label,
    )


def for_corpus(
    corpus: Corpus,
    *,
    user: AnyUser,
    conversation: Conversation | None,
    model: Model | None = None,
) -> PydanticChatAgent:
    """An agent across every document of a corpus (answered by its `llm_model` when set)."""
    model_factory, label = _model_source(model, corpus)
    return PydanticChatAgent(
        agent=corpus_agent(),
        scope=AgentScope(user, conversation, ChatSubject(None, corpus)),
        model_factory=model_factory,
        label=label,
    )


def build_agent(scope: AgentScope) -> ChatAgent:
    """The AgentFactory named by settings.OC_AGENT_FACTORY."""
    if scope.document is not None:
        return for_document(
            scope.document, scope.corpus, user=scope.user, conversation=scope.conversation
        )
    if scope.corpus is not None:
        return for_corpus(scope.corpus, user=scope.user, conversation=scope.conversation)
    raise ValueError("An agent needs a document or a corpus to talk about")
