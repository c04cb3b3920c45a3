"""One pydantic-ai run: `TranslatedRun` is the one loop over a run's event stream (used by a turn
and by the `ask_document` sub-agent); `drive_turn` yields the agent events of a turn, ending with
exactly one RunFinished, ApprovalNeeded or RunFailed. CancelledError is never caught."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from pydantic_ai import (
    Agent,
    AgentRunResult,
    AgentRunResultEvent,
    DeferredToolRequests,
    DeferredToolResults,
    ModelMessagesTypeAdapter,
    RunContext,
)
from pydantic_ai.messages import ModelMessage, ModelRequest, UserPromptPart
from pydantic_ai.settings import ModelSettings
from pydantic_ai.toolsets import AbstractToolset
from pydantic_ai.usage import RunUsage, UsageLimits

from .deps import AgentDeps
from .errors import AGENT_ERROR, turn_failure
from .events import AgentEvent, ApprovalNeeded, RunFailed, RunFinished
from .pause import PauseState, attach_pause, pending_tool_call, sub_run_of
from .stream import RunTranslator
from .usage import responses_cost, turn_usage

RunAgent = Agent[AgentDeps, str | DeferredToolRequests]


def turn_agent(
    name: str,
    instructions: Callable[[RunContext[AgentDeps]], str],
    toolsets: Sequence[AbstractToolset[AgentDeps]],
) -> RunAgent:
    """A pydantic-ai agent that answers a turn in text or pauses on deferred (approval) calls."""
    return Agent(
        name=name,
        deps_type=AgentDeps,
        output_type=[str, DeferredToolRequests],
        instructions=instructions,
        toolsets=toolsets,
        retries=2,
    )


@dataclass(frozen=True)
class RunInput:
    prompt: str | None
    history: list[ModelMessage]
    deferred_results: DeferredToolResults | None = None
    usage: RunUsage | None = None
    announced_call_ids: frozenset[str] = field(default_factory=frozenset)


def usage_limits() -> UsageLimits:
    return UsageLimits(
        request_limit=settings.OC_LLM_REQUEST_LIMIT,
        total_tokens_limit=settings.OC_LLM_TOTAL_TOKENS_LIMIT or None,
    )


def dump_messages(messages: list[ModelMessage]) -> list[dict[str, Any]]:
    dumped: list[dict[str, Any]] = ModelMessagesTypeAdapter.dump_python(messages, mode="json")
    return dumped


def turn_start(messages: list[ModelMessage]) -> int:
    """Index of the request that asked this turn's question (the last user prompt)."""
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if isinstance(message, ModelRequest) and any(
            isinstance(part, UserPromptPart) for part in message.parts
        ):
            return index
    return 0


class TranslatedRun:
    """One run of `agent`, its pydantic-ai events translated to agent events; after `events()` is
    exhausted, `result` holds the run's result. Flushing the translator is the caller's."""

    def __init__(
        self,
        agent: RunAgent,
        deps: AgentDeps,
        run: RunInput,
        translator: RunTranslator,
        *,
        timeout: float | None = None,
        model_settings: ModelSettings | None = None,
    ) -> None:
        self._agent = agent
        self._deps = deps
        self._run = run
        self._translator = translator
        self._timeout = timeout
        self._model_settings = model_settings
        self.result: AgentRunResult[str | DeferredToolRequests] | None = None

    async def events(self) -> AsyncIterator[AgentEvent]:
        run = self._run
        async with self._agent.run_stream_events(
            run.prompt,
            deps=self._deps,
            model=self._deps.model,
            message_history=run.history,
            deferred_tool_results=run.deferred_results,
            usage=run.usage,
            usage_limits=usage_limits(),
            timeout=self._timeout,
            model_settings=self._model_settings,
        ) as stream:
            async for event in stream:
                if isinstance(event, AgentRunResultEvent):
                    self.result = event.result
                    continue
                for translated in self._translator.translate(event):
                    yield translated


async def drive_turn(agent: RunAgent, deps: AgentDeps, run: RunInput) -> AsyncIterator[AgentEvent]:
    translator = RunTranslator(deps.citations, announced_call_ids=run.announced_call_ids)
    agent_run = TranslatedRun(
        agent,
        deps,
        run,
        translator,
        timeout=settings.OC_LLM_TIMEOUT_SECONDS or None,
        model_settings=ModelSettings(parallel_tool_calls=False),
    )
    try:
        async for translated in agent_run.events():
            yield translated
    except Exception as exc:
        for translated in translator.flush():
            yield translated
        yield turn_failure(exc)
        return
    for translated in translator.flush():
        yield translated
    result = agent_run.result
    assert result is not None
    messages = result.all_messages()
    turn_messages = messages[turn_start(messages) :]
    cost = responses_cost(turn_messages)
    extra = deps.costs.usd
    total_cost = None if cost is None or extra is None else cost + extra
    output = result.output
    if isinstance(output, DeferredToolRequests) and not output.approvals:
        yield RunFailed("The assistant asked for something it cannot get here.", AGENT_ERROR)
        return
    if isinstance(output, DeferredToolRequests):
        usage = result.usage
        state = PauseState(
            approvals=[call.tool_call_id for call in output.approvals],
            citations=deps.citations.annotation_ids(),
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            requests=usage.requests,
            tool_calls=usage.tool_calls,
            extra_cost=extra,
        )
        for call in output.approvals:
            sub = sub_run_of(output.metadata.get(call.tool_call_id))
            if sub is not None:
                state.sub_runs[call.tool_call_id] = sub
        yield ApprovalNeeded(
            pending_tool_call=pending_tool_call(output),
            model_messages=dump_messages(attach_pause(messages, state)),
        )
        return
    yield RunFinished(
        usage=turn_usage(result.usage, total_cost), model_messages=dump_messages(turn_messages)
    )
