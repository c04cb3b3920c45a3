"""The chat wire protocol: the one source of truth (see docs/architecture/websocket/protocol.md).

Every frame the server sends and every frame a client may send is a pydantic model here. The JSON
schema and the TypeScript types of the frontend are generated from these models.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Source(BaseModel):
    """A passage an answer rests on; `score` is relevance, higher is better."""

    model_config = ConfigDict(populate_by_name=True)

    annotation_id: int
    document_id: int
    corpus_id: int | None = None
    page: int
    char_start: int
    char_end: int
    rawText: str
    json_: dict[str, Any] = Field(default_factory=dict, alias="json")
    label: str = ""
    score: float

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)


TimelineEntryType = Literal["thought", "tool_call", "tool_result", "sources", "status"]


class TimelineEntry(BaseModel):
    """One step of the agent's work, rendered the same live and after reload."""

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
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cost_usd: float | None = None
