"""Write tools of the document agent; each runs only after a person approves the call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic_ai import FunctionToolset, RunContext

from opencontractserver.annotations.services import add_annotation_for_text, add_note
from opencontractserver.documents import services as documents
from opencontractserver.llms.agents.deps import AgentDeps

from .approvals import approved_write

READ_ONLY = "You may not change this document, so this was not done."

T = TypeVar("T")


async def _approved_document_write(
    ctx: RunContext[AgentDeps], write: Callable[..., T], *args: Any
) -> T | str:
    return await approved_write(
        ctx,
        target_id=ctx.deps.document_id,
        check=documents.writable_document,
        refused=READ_ONLY,
        write=write,
        args=args,
    )


async def add_document_note(ctx: RunContext[AgentDeps], content: str, title: str = "") -> str:
    """Attach a note to this document (asks the user for approval first).

    Args:
        content: The text of the note.
        title: An optional short title.
    """
    note = await _approved_document_write(ctx, add_note, content, title)
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
    annotation = await _approved_document_write(
        ctx, add_annotation_for_text, exact_text, label, occurrence
    )
    if isinstance(annotation, str):
        return annotation
    return f"Annotation {annotation.pk} was added on page {annotation.page}."


async def update_document_summary(ctx: RunContext[AgentDeps], summary: str) -> str:
    """Replace this document's stored summary (asks the user for approval first).

    Args:
        summary: The new summary.
    """
    outcome = await _approved_document_write(ctx, documents.update_document_summary, summary)
    if isinstance(outcome, str):
        return outcome
    return "The document summary was updated."


def document_write_tools() -> FunctionToolset[AgentDeps]:
    return FunctionToolset[AgentDeps](
        [add_document_note, add_annotation, update_document_summary], sequential=True
    )
