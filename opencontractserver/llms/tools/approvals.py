"""The one approval gate every write tool passes, and the write tools' names in one place.

A write tool names its check (may this user change the target at all? no point asking otherwise)
and its write service. The gate runs the check, raises `ApprovalRequired` (which pauses the run)
unless a person already approved this call, then runs the service, which checks again inside its
transaction. A `Refused` comes back as its message, for the model to pass on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic_ai import ApprovalRequired, RunContext

from opencontractserver.llms.agents.deps import AgentDeps
from opencontractserver.permissions import AnyUser
from opencontractserver.shared.db_threads import run_for_turn
from opencontractserver.shared.refusals import Refused

T = TypeVar("T")

WriteToolName = Literal[
    "add_document_note", "add_annotation", "update_document_summary", "update_corpus_description"
]


@dataclass(frozen=True)
class WriteTool:
    proposing: str
    """The timeline's words for the proposed call."""
    elsewhere: str
    """What the offline model says when this chat lacks the tool."""


WRITE_TOOLS: dict[WriteToolName, WriteTool] = {
    "add_document_note": WriteTool(
        "Proposing to add a note to the document",
        "I can add notes only in a document's chat: open the document to add it.",
    ),
    "add_annotation": WriteTool(
        "Proposing to annotate the document",
        "I can highlight text only in a document's chat: open the document first.",
    ),
    "update_document_summary": WriteTool(
        "Proposing to update the document summary",
        "I can change a summary only in that document's chat: open the document first.",
    ),
    "update_corpus_description": WriteTool(
        "Proposing to update the corpus description",
        "I can change the corpus description only in the corpus chat: open the corpus first.",
    ),
}


def require_approval(ctx: RunContext[AgentDeps]) -> None:
    """Pause the run for a person's decision unless this call was already approved."""
    if not ctx.tool_call_approved:
        raise ApprovalRequired()


async def approved_write(
    ctx: RunContext[AgentDeps],
    *,
    target_id: int | None,
    check: Callable[[AnyUser, int], object],
    refused: str,
    write: Callable[..., T],
    args: tuple[Any, ...] = (),
) -> T | str:
    """`write(user, target_id, *args)` in the database thread once the user may (`check`, else
    `refused` and no approval is asked) and a person approved the call."""
    user = ctx.deps.user
    if target_id is None:
        return refused
    try:
        await run_for_turn(check, user, target_id)
    except Refused:
        return refused
    require_approval(ctx)
    try:
        return await run_for_turn(write, user, target_id, *args)
    except Refused as refusal:
        return refusal.message
