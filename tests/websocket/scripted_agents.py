"""Scripted agents for the WebSocket tests: deterministic AgentEvents at a configurable pace.

The query is the script. Plain text streams five words; a JSON object configures the run:
  words (int)        how many words to stream ("w0 w1 …")
  delay (float)      seconds between words
  thought (bool)     a tool call and its result before the words
  annotation_id (int) send that annotation as a source
  approval (bool)    pause for approval of `create_note` after the words
  fail (str)         end with RunFailed(error_code=fail) after the words
  crash (bool)       raise after the words
  huge_sources (int) that many SourcesFound of 30 oversize sources each (20 KB text, 3000 boxes;
                     ids repeat across batches), as passages stored before passages were bounded
Approved resumes create one Note on the document (so a second execution would be visible).
Point settings.OC_AGENT_FACTORY (or the env var of a daphne process) at `build_scripted_agent`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async

from opencontractserver.annotations.models import Annotation, Note
from opencontractserver.annotations.sources import Source
from opencontractserver.conversations.message_data import (
    AgentErrorCode,
    PendingToolCall,
    TimelineEntry,
    Usage,
)
from opencontractserver.llms.agents.events import (
    AgentEvent,
    ApprovalNeeded,
    ContentDelta,
    RunFailed,
    RunFinished,
    SourcesFound,
    Thought,
)
from opencontractserver.llms.agents.interface import AgentScope, PausedRun
from opencontractserver.users.models import User

# Runs whose agent task was cancelled (in this process): proves STOP reaches the agent.
CANCELLED_RUNS: list[str] = []


def words(count: int) -> str:
    return "".join(f"w{i} " for i in range(count))


@dataclass
class Script:
    words: int = 5
    delay: float = 0.0
    thought: bool = False
    annotation_id: int | None = None
    approval: bool = False
    fail: AgentErrorCode | None = None
    crash: bool = False
    huge_sources: int = 0

    @classmethod
    def parse(cls, query: str) -> Script:
        try:
            raw = json.loads(query)
        except ValueError:
            return cls()
        if not isinstance(raw, dict):
            return cls()
        return cls(**raw)


class ScriptedAgent:
    def __init__(self, scope: AgentScope) -> None:
        self.scope = scope

    @property
    def model_label(self) -> str:
        return "scripted:test"

    async def run(self, query: str) -> AsyncIterator[AgentEvent]:
        script = Script.parse(query)
        try:
            if script.thought:
                args = {"query": "rent"}
                yield Thought(
                    "Searching the document",
                    TimelineEntry(type="tool_call", text="Searching", tool="search", args=args),
                )
                yield Thought(
                    "Found passages",
                    TimelineEntry(type="tool_result", text="Found passages", tool="search"),
                )
            if script.annotation_id is not None:
                yield SourcesFound([await _source(script.annotation_id)])
            for batch in range(script.huge_sources):
                yield SourcesFound([_huge_source(batch * 20 + i) for i in range(30)])
            for i in range(script.words):
                if script.delay:
                    await asyncio.sleep(script.delay)
                yield ContentDelta(f"w{i} ")
            if script.crash:
                raise RuntimeError("scripted crash")
            if script.fail:
                yield RunFailed(error="scripted failure", error_code=script.fail)
                return
            if script.approval:
                yield ApprovalNeeded(
                    PendingToolCall(
                        name="create_note",
                        arguments={"title": "Rent", "content": "Monthly"},
                        tool_call_id="call-1",
                    ),
                    model_messages=[{"kind": "request", "query": query}],
                )
                return
            yield RunFinished(
                usage=Usage(
                    requests=1,
                    input_tokens=3,
                    output_tokens=script.words,
                    total_tokens=3 + script.words,
                ),
                model_messages=[{"kind": "request", "query": query}],
            )
        except asyncio.CancelledError:
            CANCELLED_RUNS.append(query)
            raise

    async def resume(self, paused: PausedRun, approved: bool) -> AsyncIterator[AgentEvent]:
        if approved:
            await database_sync_to_async(_create_note)(
                self.scope, paused.pending_tool_call.arguments
            )
            yield Thought(
                "Note saved",
                TimelineEntry(type="tool_result", text="Note saved", tool="create_note"),
            )
            yield ContentDelta("Saved the note.")
        else:
            yield ContentDelta("Did not save the note.")
        yield RunFinished(
            usage=Usage(requests=1), model_messages=[*paused.model_messages, {"kind": "resumed"}]
        )


def _create_note(scope: AgentScope, arguments: dict[str, Any]) -> None:
    document = scope.document
    if document is None and scope.corpus is not None:
        document = scope.corpus.documents.first()
    assert document is not None
    assert isinstance(scope.user, User)
    Note.objects.create(
        document=document,
        title=str(arguments["title"]),
        content=str(arguments["content"]),
        creator=scope.user,
    )


@database_sync_to_async
def _source(annotation_id: int) -> Source:
    annotation = Annotation.objects.get(pk=annotation_id)
    return Source(
        annotation_id=annotation.pk,
        document_id=annotation.document_id,
        page=annotation.page,
        char_start=annotation.char_start,
        char_end=annotation.char_end,
        rawText=annotation.raw_text,
        json_={"start": annotation.char_start, "end": annotation.char_end},
        label=annotation.label,
        score=0.9,
    )


def _huge_source(annotation_id: int) -> Source:
    boxes = [[1.25, 2.5, 3.75, 4.5]] * 3000
    page = {"page": 1, "width": 612, "height": 792, "bounds": [0, 0, 9, 9], "words": boxes}
    return Source(
        annotation_id=annotation_id,
        document_id=1,
        page=1,
        char_start=0,
        char_end=20_000,
        rawText="\u00e9" * 20_000,
        json_={"start": 0, "end": 20_000, "pages": [page]},
        score=0.5,
    )


def build_scripted_agent(scope: AgentScope) -> ScriptedAgent:
    return ScriptedAgent(scope)
