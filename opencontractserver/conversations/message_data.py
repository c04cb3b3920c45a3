"""The values an LLM message of a turn is made of: its timeline, the tool call it may wait on,
its usage. The turn store persists them in `ChatMessage.data`; the agents produce them; the chat
protocol (config/websocket/protocol.py) sends them inside its frames.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

MessageStateValue = Literal["in_progress", "awaiting_approval", "completed", "cancelled", "error"]
"""The values of `ChatMessage.state` (models.MessageState), as a type: the wire's TurnState is this
literal, and a test holds it equal to MessageState.values."""

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
