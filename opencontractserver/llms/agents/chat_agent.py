"""`PydanticChatAgent`: the ChatAgent the turn runner drives, over a pydantic-ai Agent."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from pydantic_ai import ModelMessagesTypeAdapter
from pydantic_ai.models import Model

from opencontractserver.conversations.models import Conversation
from opencontractserver.shared.db_threads import run_for_turn

from .agent_run import RunAgent, RunInput, drive_turn
from .citations import CitationRegistry
from .deps import AgentDeps, RunCosts
from .errors import APPROVAL_MISMATCH, turn_failure
from .events import AgentEvent, RunFailed
from .history import history_for_turn
from .interface import AgentScope, PausedRun
from .pause import decision_results, detach_pause


@dataclass
class PydanticChatAgent:
    """Answers one turn (or resumes a paused one) for a scope, with a model built per turn."""

    agent: RunAgent
    scope: AgentScope
    model_factory: Callable[[], Model]
    label: str

    @property
    def model_label(self) -> str:
        return self.label

    async def run(self, query: str) -> AsyncIterator[AgentEvent]:
        try:
            model = self.model_factory()
            history, summary = await history_for_turn(self.scope.conversation, model)
        except Exception as exc:
            yield turn_failure(exc)
            return
        deps = AgentDeps(scope=self.scope, model=model, history_summary=summary)
        async for event in drive_turn(self.agent, deps, RunInput(query, history)):
            yield event

    async def resume(self, paused: PausedRun, approved: bool) -> AsyncIterator[AgentEvent]:
        try:
            model = self.model_factory()
            summary = await _summary(self.scope.conversation)
        except Exception as exc:
            yield turn_failure(exc)
            return
        try:
            stored = list(ModelMessagesTypeAdapter.validate_python(paused.model_messages))
            history, state = detach_pause(stored)
        except ValueError:
            yield RunFailed("The paused turn could not be restored.", APPROVAL_MISMATCH)
            return
        decided = paused.pending_tool_call.tool_call_id
        if decided not in state.approvals:
            yield RunFailed("That tool call is not awaiting a decision.", APPROVAL_MISMATCH)
            return
        deps = AgentDeps(
            scope=self.scope,
            model=model,
            citations=CitationRegistry(state.citations),
            costs=RunCosts(state.extra_cost),
            history_summary=summary,
        )
        run = RunInput(
            prompt=None,
            history=history,
            deferred_results=decision_results(state.approvals, state.sub_runs, decided, approved),
            usage=state.run_usage(),
            announced_call_ids=frozenset(state.approvals),
        )
        async for event in drive_turn(self.agent, deps, run):
            yield event


async def _summary(conversation: Conversation | None) -> str:
    if conversation is None:
        return ""
    summaries = Conversation.objects.filter(pk=conversation.pk).values_list("summary", flat=True)
    found = await run_for_turn(summaries.first)
    return found or ""
