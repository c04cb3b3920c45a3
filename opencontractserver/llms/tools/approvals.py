"""The approval gate shared by every write tool.

A write tool first checks that the user may make the change at all (no point asking otherwise),
then raises `ApprovalRequired`, which pauses the run. When a person approves, pydantic-ai calls
the tool again with `ctx.tool_call_approved`, and the write service re-checks permissions.
"""

from __future__ import annotations

from pydantic_ai import ApprovalRequired, RunContext

from opencontractserver.llms.agents.deps import AgentDeps

WRITE_TOOL_NAMES = frozenset(
    {"add_document_note", "add_annotation", "update_document_summary", "update_corpus_description"}
)


def require_approval(ctx: RunContext[AgentDeps]) -> None:
    """Pause the run for a person's decision unless this call was already approved."""
    if not ctx.tool_call_approved:
        raise ApprovalRequired()
