"""Write tools of the document agent; each runs only after a person approves the call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from pydantic_ai import FunctionToolset, RunContext

from opencontractserver.annotations import services as write_services
from opencontractserver.llms.agents.deps import AgentDeps

from .approvals import require_approval

READ_ONLY = "You may not change this document, so this was not done."

T = TypeVar("T")


async def _approved_write(
    ctx: RunContext[AgentDeps], write: Callable[..., T], *args: Any
) -> T | str:
    """The gate every document write passes: the user may write (else a plain refusal, and no
    approval is asked), a person approved the call, then `write(user, document_id, *args)` runs
    in the database thread; a refused write comes back as its message."""
    deps = ctx.deps
    if not await database_sync_to_async(write_services.can_write_document)(
        deps.user, deps.document_id
    ):
        return READ_ONLY
    require_approval(ctx)
    assert deps.document_id is not None
    try:
        return await database_sync_to_async(write)(deps.user, deps.document_id, *args)
    except write_services.WriteRefused as refused:
        return str(refused)


async def add_document_note(ctx: RunContext[AgentDeps], content: str, title: str = "") -> str:
    """Attach a note to this document (asks the user for approval first).

    Args:
        content: The text of the note.
        title: An optional short title.
    """
    note = await _approved_write(ctx, write_services.add_note, content, title)
    if isinstance(note, str):
        return note
    return f"Note {note.pk} was added to the document."


async def add_annotation(
    ctx: RunContext[AgentDeps], exact_text: str, label: str = "highlight", occurrence: int = 1
) -> str:
    """Annotate an exact string of this document's text (asks the user for approval first).

    Args:
        exact_text: Text copied exactly from the document.
        label: A short label for the annotation.
        occurrence: Which occurrence to annotate if the text appears several times (1-based).
    """
    annotation = await _approved_write(
        ctx, write_services.add_annotation_for_text, exact_text, label, occurrence
    )
    if isinstance(annotation, str):
        return annotation
    return f"Annotation {annotation.pk} was added on page {annotation.page}."


async def update_document_summary(ctx: RunContext[AgentDeps], summary: str) -> str:
    """Replace this document's stored summary (asks the user for approval first).

    Args:
        summary: The new summary.
    """
    outcome = await _approved_write(ctx, write_services.update_document_summary, summary)
    if isinstance(outcome, str):
        return outcome
    return "The document summary was updated."


def document_write_tools() -> FunctionToolset[AgentDeps]:
    return FunctionToolset[AgentDeps](
        [add_document_note, add_annotation, update_document_summary], sequential=True
    )
