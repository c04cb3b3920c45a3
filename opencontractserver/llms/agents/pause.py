"""What an approval pause stores beside the pydantic-ai history, and how a decision resumes it.

The state rides in the `metadata` of the last ModelResponse of the stored history (key
`oc_pause`), so `PausedRun.model_messages` alone is enough to resume in any process: the
citation numbers already sent, the usage and sub-agent cost so far, every pending approval, and
for a write proposed by a document sub-agent (`ask_document`) that sub-run's own history.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import BaseModel, Field
from pydantic_ai import DeferredToolRequests, DeferredToolResults, ToolApproved, ToolDenied
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.usage import RunUsage

from opencontractserver.conversations.message_data import PendingToolCall

PAUSE_KEY = "oc_pause"
REJECTED = "The user rejected this change, so it was not made."
ONE_AT_A_TIME = "Only one change can be approved at a time, so this one was not made."


class SubRun(BaseModel):
    """A document sub-agent paused on one of its write tools."""

    document_id: int
    messages: list[dict[str, Any]]
    tool_call_id: str
    tool_name: str
    args: dict[str, Any]
    approvals: list[str]


class PauseState(BaseModel):
    approvals: list[str]
    citations: list[int] = Field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    requests: int = 0
    tool_calls: int = 0
    extra_cost: float | None = 0.0
    sub_runs: dict[str, SubRun] = Field(default_factory=dict)

    def run_usage(self) -> RunUsage:
        return RunUsage(
            requests=self.requests,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            tool_calls=self.tool_calls,
        )


def sub_run_of(metadata: object) -> SubRun | None:
    if isinstance(metadata, dict) and "sub_run" in metadata:
        return SubRun.model_validate(metadata["sub_run"])
    return None


def pending_tool_call(requests: DeferredToolRequests) -> PendingToolCall:
    """The call shown to the person deciding: a sub-agent's own write, not `ask_document`."""
    call = requests.approvals[0]
    sub = sub_run_of(requests.metadata.get(call.tool_call_id))
    if sub is not None:
        return PendingToolCall(
            name=sub.tool_name,
            arguments={"document_id": sub.document_id, **sub.args},
            tool_call_id=call.tool_call_id,
        )
    return PendingToolCall(
        name=call.tool_name, arguments=call.args_as_dict(), tool_call_id=call.tool_call_id
    )


def attach_pause(messages: list[ModelMessage], state: PauseState) -> list[ModelMessage]:
    """A copy of `messages` whose last response carries `state`."""
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if isinstance(message, ModelResponse):
            metadata = {**(message.metadata or {}), PAUSE_KEY: state.model_dump(mode="json")}
            return [
                *messages[:index],
                dataclasses.replace(message, metadata=metadata),
                *messages[index + 1 :],
            ]
    raise ValueError("A paused run has no model response")


def detach_pause(messages: list[ModelMessage]) -> tuple[list[ModelMessage], PauseState]:
    """The history without the pause state, and the state."""
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if (
            isinstance(message, ModelResponse)
            and message.metadata
            and PAUSE_KEY in message.metadata
        ):
            metadata = {k: v for k, v in message.metadata.items() if k != PAUSE_KEY}
            state = PauseState.model_validate(message.metadata[PAUSE_KEY])
            cleaned = dataclasses.replace(message, metadata=metadata or None)
            return [*messages[:index], cleaned, *messages[index + 1 :]], state
    raise ValueError("The stored run is not paused for approval")


def decision_results(
    approvals: list[str], sub_runs: dict[str, SubRun], decided_id: str, approved: bool
) -> DeferredToolResults:
    """Results for every pending call: the decision for `decided_id`, a refusal for the others.

    A sub-agent's write is carried inside an approved `ask_document` call: the tool resumes the
    sub-run and passes the decision on (so a rejection reaches the sub-agent, which tells why).
    """
    results = DeferredToolResults()
    for tool_call_id in approvals:
        sub = sub_runs.get(tool_call_id)
        if tool_call_id != decided_id:
            results.approvals[tool_call_id] = ToolDenied(ONE_AT_A_TIME)
        elif sub is not None:
            results.approvals[tool_call_id] = ToolApproved()
            results.metadata[tool_call_id] = {
                "sub_run": sub.model_dump(mode="json"),
                "approved": approved,
            }
        else:
            results.approvals[tool_call_id] = True if approved else ToolDenied(REJECTED)
    return results
