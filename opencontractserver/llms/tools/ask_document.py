"""`ask_document`: the corpus agent hands one document to a document sub-agent.

The sub-agent shares the turn's citation registry, so its passages get turn-wide numbers; its
timeline steps and sources are relayed live into the parent stream, labelled with the document's
title. If it proposes a write, the parent run pauses on this call (ApprovalRequired carrying the
sub-run's history); after the decision this tool resumes the sub-run with it.
"""

from __future__ import annotations

from pydantic_ai import (
    ApprovalRequired,
    DeferredToolRequests,
    ModelMessagesTypeAdapter,
    RunContext,
)
from pydantic_ai.messages import ModelMessage

from opencontractserver.conversations.subject import ChatSubject
from opencontractserver.llms.agents.agent_run import RunInput, TranslatedRun, dump_messages
from opencontractserver.llms.agents.deps import AgentDeps
from opencontractserver.llms.agents.document_agent import document_agent
from opencontractserver.llms.agents.events import ContentDelta
from opencontractserver.llms.agents.interface import AgentScope
from opencontractserver.llms.agents.pause import SubRun, decision_results
from opencontractserver.llms.agents.stream import RelayedEvent, RunTranslator
from opencontractserver.llms.agents.usage import responses_cost
from opencontractserver.shared.db_threads import run_for_turn

from . import queries


async def ask_document(ctx: RunContext[AgentDeps], document_id: int, question: str) -> str:
    """Have a specialist read one document of this corpus closely and answer `question`.

    Args:
        document_id: The id of a document of this corpus (see list_documents / search results).
        question: A self-contained question about that document.
    """
    deps = ctx.deps
    document = await run_for_turn(
        queries.document_in_corpus, deps.user, document_id, deps.corpus_id
    )
    if document is None:
        return f"There is no document {document_id} in this corpus that you may read."
    sub_deps = AgentDeps(
        scope=AgentScope(deps.user, deps.conversation, ChatSubject(document, deps.scope.corpus)),
        model=deps.model,
        citations=deps.citations,
        costs=deps.costs,
    )
    prompt: str | None = question
    history: list[ModelMessage] = []
    results = None
    announced: frozenset[str] = frozenset()
    metadata = ctx.tool_call_metadata if ctx.tool_call_approved else None
    if isinstance(metadata, dict) and "sub_run" in metadata:
        sub = SubRun.model_validate(metadata["sub_run"])
        prompt = None
        history = list(ModelMessagesTypeAdapter.validate_python(sub.messages))
        results = decision_results(
            sub.approvals, {}, sub.tool_call_id, bool(metadata.get("approved"))
        )
        announced = frozenset(sub.approvals)
    translator = RunTranslator(deps.citations, label=document.title, announced_call_ids=announced)
    sub_run = TranslatedRun(
        document_agent(), sub_deps, RunInput(prompt, history, results, ctx.usage), translator
    )
    async for translated in sub_run.events():
        if not isinstance(translated, ContentDelta):
            await ctx.emit(RelayedEvent(payload=translated))
    for translated in translator.flush():
        if not isinstance(translated, ContentDelta):
            await ctx.emit(RelayedEvent(payload=translated))
    result = sub_run.result
    assert result is not None
    new_messages = result.new_messages()
    deps.costs.add(responses_cost(new_messages))
    output = result.output
    if isinstance(output, DeferredToolRequests):
        call = output.approvals[0]
        paused = SubRun(
            document_id=document.pk,
            messages=dump_messages(result.all_messages()),
            tool_call_id=call.tool_call_id,
            tool_name=call.tool_name,
            args=call.args_as_dict(),
            approvals=[c.tool_call_id for c in output.approvals],
        )
        raise ApprovalRequired(metadata={"sub_run": paused.model_dump(mode="json")})
    return f'Answer from "{document.title}" (document {document.pk}):\n{output}'
