"""Scripted models and event helpers for the agent tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, DeltaToolCalls, FunctionModel

from opencontractserver.annotations.sources import Source
from opencontractserver.llms.agents.events import (
    AgentEvent,
    ApprovalNeeded,
    ContentDelta,
    RunFailed,
    RunFinished,
    SourcesFound,
    Thought,
)


@dataclass(frozen=True)
class Call:
    """A scripted tool call; `args` may be a function of the latest tool results."""

    tool: str
    args: dict[str, Any]


Step = Call | str


def turn_messages(messages: list[ModelMessage]) -> list[ModelMessage]:
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if isinstance(message, ModelRequest) and any(
            isinstance(p, UserPromptPart) for p in message.parts
        ):
            return messages[index:]
    return messages


def last_tool_returns(messages: list[ModelMessage]) -> list[ToolReturnPart]:
    last = messages[-1]
    if isinstance(last, ModelRequest):
        return [p for p in last.parts if isinstance(p, ToolReturnPart)]
    return []


def scripted(
    steps: Sequence[Step] | dict[str, Sequence[Step]],
    *,
    delay: float = 0.0,
    seen: list[list[ModelMessage]] | None = None,
    instructions: list[str] | None = None,
) -> FunctionModel:
    """A model that plays `steps` in order within a turn (step n = n-th response of the turn).

    `seen` and `instructions` record what each request received. With a dict, the script is
    chosen by a tool the agent has ("search_corpus": corpus agent, "search_document": its
    document sub-agent).
    """

    async def stream(
        messages: list[ModelMessage], info: AgentInfo
    ) -> AsyncIterator[str | DeltaToolCalls]:
        if seen is not None:
            seen.append(list(messages))
        if instructions is not None:
            instructions.append(info.instructions or "")
        if isinstance(steps, dict):
            tools = {t.name for t in info.function_tools}
            script = next(s for key, s in steps.items() if key in tools)
        else:
            script = steps
        position = sum(isinstance(m, ModelResponse) for m in turn_messages(messages))
        step = script[min(position, len(script) - 1)]
        if isinstance(step, Call):
            yield {
                0: DeltaToolCall(
                    name=step.tool, json_args=json.dumps(step.args), tool_call_id=f"call-{position}"
                )
            }
            return
        for word in step.split(" "):
            if delay:
                await asyncio.sleep(delay)
            yield word + " "

    return FunctionModel(stream_function=stream, model_name="scripted")


async def collect(stream: AsyncIterator[AgentEvent]) -> list[AgentEvent]:
    return [event async for event in stream]


def content_of(events: list[AgentEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, ContentDelta))


def sources_of(events: list[AgentEvent]) -> list[Source]:
    return [s for e in events if isinstance(e, SourcesFound) for s in e.sources]


def thoughts_of(events: list[AgentEvent]) -> list[Thought]:
    return [e for e in events if isinstance(e, Thought)]


def last_of(events: list[AgentEvent]) -> AgentEvent:
    return events[-1]


def kinds(events: list[AgentEvent]) -> list[str]:
    names = {
        ContentDelta: "content",
        Thought: "thought",
        SourcesFound: "sources",
        ApprovalNeeded: "approval",
        RunFinished: "finished",
        RunFailed: "failed",
    }
    collapsed: list[str] = []
    for event in events:
        name = names[type(event)]
        if not (collapsed and collapsed[-1] == name == "content"):
            collapsed.append(name)
    return collapsed
