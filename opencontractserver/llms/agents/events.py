"""What an agent tells the turn runner while it works (the agent ↔ WebSocket boundary).

The agent layer (opencontractserver.llms.agents) turns pydantic-ai's stream into these events; the
turn runner (config.websocket) turns them into protocol frames, numbers them, fans them out and
persists the turn. The runner builds the answer text from `ContentDelta`s, the sources list from
`SourcesFound` and the timeline from `Thought`s and `SourcesFound`, so what is stored is by
construction what was streamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opencontractserver.annotations.sources import Source
from opencontractserver.conversations.message_data import (
    AgentErrorCode,
    PendingToolCall,
    TimelineEntry,
    Usage,
)


@dataclass(frozen=True)
class ContentDelta:
    """A piece of the answer text (a delta, never the accumulated text)."""

    text: str


@dataclass(frozen=True)
class Thought:
    """A reasoning step, tool call or tool result; `text` is what ASYNC_THOUGHT carries."""

    text: str
    entry: TimelineEntry


@dataclass(frozen=True)
class SourcesFound:
    """Sources not sent before in this turn (the agent deduplicates across the turn)."""

    sources: list[Source]


@dataclass(frozen=True)
class ApprovalNeeded:
    """The run paused before a write tool; `model_messages` is the pydantic-ai history so far
    (ModelMessagesTypeAdapter JSON), enough to resume from any process after a restart."""

    pending_tool_call: PendingToolCall
    model_messages: list[dict[str, Any]]


@dataclass(frozen=True)
class RunFinished:
    """The run completed; `model_messages` holds this turn's new pydantic-ai messages."""

    usage: Usage = field(default_factory=Usage)
    model_messages: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class RunFailed:
    """The run failed (provider error, timeout, usage limit…); `error_code` is stable."""

    error: str
    error_code: AgentErrorCode


AgentEvent = ContentDelta | Thought | SourcesFound | ApprovalNeeded | RunFinished | RunFailed
