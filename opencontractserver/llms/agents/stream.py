"""Translate a pydantic-ai event stream into the agent events the turn runner understands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic_ai import CustomEvent
from pydantic_ai.messages import (
    DeferredToolRequestsEvent,
    FunctionToolCallEvent,
    FunctionToolResultEvent,
    PartDeltaEvent,
    PartEndEvent,
    PartStartEvent,
    RetryPromptPart,
    TextPart,
    TextPartDelta,
    ThinkingPart,
    ToolReturnPart,
)

from opencontractserver.conversations.message_data import TimelineEntry

from .citations import CitationFilter, CitationRegistry
from .describe import describe_call, describe_result, passage_count
from .events import AgentEvent, ContentDelta, SourcesFound, Thought


@dataclass(kw_only=True)
class RelayedEvent(CustomEvent):
    """An event of a sub-agent, relayed into the parent run's stream by the tool that ran it."""

    payload: Any = None


class RunTranslator:
    """Stateful translation of one run's events (text through the citation filter, sources
    deduplicated by the shared registry). `label` prefixes a sub-agent's timeline steps."""

    def __init__(
        self,
        citations: CitationRegistry,
        *,
        label: str = "",
        announced_call_ids: frozenset[str] = frozenset(),
    ) -> None:
        self._citations = citations
        self._filter = CitationFilter(citations)
        self._label = label
        self._announced = announced_call_ids

    def translate(self, event: object) -> list[AgentEvent]:
        if isinstance(event, PartStartEvent) and isinstance(event.part, TextPart):
            return self._content(event.part.content)
        if isinstance(event, PartDeltaEvent) and isinstance(event.delta, TextPartDelta):
            return self._content(event.delta.content_delta)
        if isinstance(event, PartEndEvent) and isinstance(event.part, ThinkingPart):
            text = event.part.content.strip()
            return [self._thought(text, TimelineEntry(type="thought"))] if text else []
        if isinstance(event, FunctionToolCallEvent):
            return self._tool_call(event)
        if isinstance(event, FunctionToolResultEvent):
            return self._tool_result(event)
        if isinstance(event, RelayedEvent) and event.payload is not None:
            return [event.payload]
        if isinstance(event, DeferredToolRequestsEvent):
            return self.take_sources()
        return []

    def flush(self) -> list[AgentEvent]:
        """Text held back by the citation filter, then any sources not sent yet."""
        held = self._filter.flush()
        events: list[AgentEvent] = [ContentDelta(held)] if held else []
        return events + self.take_sources()

    def take_sources(self) -> list[AgentEvent]:
        sources = self._citations.take_unsent()
        return [SourcesFound(sources)] if sources else []

    def _content(self, text: str) -> list[AgentEvent]:
        passed = self._filter.feed(text)
        return [ContentDelta(passed)] if passed else []

    def _thought(self, text: str, entry: TimelineEntry) -> Thought:
        if self._label:
            text = f"{self._label}: {text}"
            entry = entry.model_copy(update={"text": text})
        return Thought(text, entry)

    def _tool_call(self, event: FunctionToolCallEvent) -> list[AgentEvent]:
        part = event.part
        if part.tool_call_id in self._announced:
            return []
        try:
            args = part.args_as_dict()
        except ValueError:
            args = {"unparsed": str(part.args)}
        text = describe_call(part.tool_name, args)
        entry = TimelineEntry(type="tool_call", text=text, tool=part.tool_name, args=args)
        return [self._thought(text, entry)]

    def _tool_result(self, event: FunctionToolResultEvent) -> list[AgentEvent]:
        part = event.part
        if isinstance(part, ToolReturnPart):
            text = describe_result(part.tool_name, part.content)
            count = passage_count(part.content)
        elif isinstance(part, RetryPromptPart):
            text = f"{part.tool_name or 'The tool'} failed; retrying"
            count = None
        else:
            return self.take_sources()
        entry = TimelineEntry(type="tool_result", text=text, tool=part.tool_name, count=count)
        return [self._thought(text, entry), *self.take_sources()]
