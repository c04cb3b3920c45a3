"""The values an LLM message of a turn is made of: its timeline, the tool call it may wait on,
its usage, its error code, and `LlmMessageData`, the typed `ChatMessage.data` that holds them.
The turn store persists them; the agents produce them; the chat protocol
(config/websocket/protocol.py) sends them inside its frames.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from opencontractserver.annotations.sources import Source

MessageStateValue = Literal["in_progress", "awaiting_approval", "completed", "cancelled", "error"]
"""The values of `ChatMessage.state` (models.MessageState), as a type: the wire's TurnState is this
literal, and a test holds it equal to MessageState.values."""

AgentErrorCode = Literal[
    "provider_error",
    "provider_timeout",
    "provider_rate_limited",
    "provider_auth",
    "provider_config",
    "context_too_long",
    "content_filtered",
    "usage_limit",
    "approval_mismatch",
    "agent_error",
]
"""Why an agent's run failed (llms/agents/errors.py maps exceptions to these)."""

TurnErrorCode = AgentErrorCode | Literal["interrupted", "server_error", "approval_requires_login"]
"""Why a turn ended in `error`: the agent's code, or the server's (the process died while it ran;
the runner itself failed; an anonymous chat asked for a write)."""

TimelineEntryType = Literal["thought", "tool_call", "tool_result", "sources", "status"]


class TimelineEntry(BaseModel):
    """One step of the agent's work, rendered the same live and after reload."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    type: TimelineEntryType
    text: str = ""
    tool: str | None = None
    args: dict[str, Any] | None = None
    count: int | None = None


class PendingToolCall(BaseModel):
    """A write the agent wants to make; it runs only after a person approves it."""

    name: str
    arguments: dict[str, Any]
    tool_call_id: str


class Usage(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cost_usd: float | None = None


ApprovalDecision = Literal["approved", "rejected", "cancelled"]


class ApprovalRecord(BaseModel):
    """How a paused turn's tool call was decided (a STOP while paused records `cancelled`)."""

    decision: ApprovalDecision
    decided_by: int
    decided_at: str
    pending_tool_call: PendingToolCall | None = None


class LlmMessageData(BaseModel):
    """`ChatMessage.data` of an LLM message: the one description of its keys.

    The turn store validates it on every read (`read`) and dumps it on every write (`dump`, which
    leaves out top-level keys that are None). `last_seq` is the seq of the last frame persisted
    with the state, so a turn resumed in another process continues its numbering; `frames` holds
    a paused turn's frames so far (replay survives a restart without Redis) and goes once it is
    settled.
    Keys this model does not know are kept, so a newer writer's data survives an older reader.
    """

    model_config = ConfigDict(extra="allow")

    user_message_id: int = 0
    last_seq: int = 0
    sources: list[Source] | None = None
    timeline: list[TimelineEntry] | None = None
    usage: Usage | None = None
    pending_tool_call: PendingToolCall | None = None
    approval: ApprovalRecord | None = None
    error: str | None = None
    error_code: TurnErrorCode | None = None
    frames: list[dict[str, Any]] | None = None

    @classmethod
    def read(cls, raw: dict[str, Any]) -> LlmMessageData:
        return cls.model_validate(raw)

    def dump(self) -> dict[str, Any]:
        empty = {name for name in type(self).model_fields if getattr(self, name) is None}
        return self.model_dump(mode="json", by_alias=True, exclude=empty)
