"""Read-only tools of the document agent. The document is the turn's, never one the model names."""

from __future__ import annotations

from pydantic_ai import FunctionToolset, RunContext

from opencontractserver.annotations.search import search_passages_async
from opencontractserver.llms.agents.deps import AgentDeps
from opencontractserver.shared.db_threads import run_for_turn

from . import queries
from .neighbours import read_neighbours
from .passages import PassageResults, cite_passages

MAX_PASSAGES = 10
NO_DOCUMENT = "There is no document in this chat that you may read."


async def search_document(
    ctx: RunContext[AgentDeps], query: str, limit: int = 6
) -> PassageResults | str:
    """Search this document for passages relevant to `query` (keywords or a question).

    Args:
        query: What to look for.
        limit: How many passages to return (1-10).
    """
    deps = ctx.deps
    limit = min(max(limit, 1), MAX_PASSAGES)
    if deps.document_id is None:
        return NO_DOCUMENT
    sources = await search_passages_async(
        deps.user, query, document_id=deps.document_id, limit=limit
    )
    sources = [s.model_copy(update={"corpus_id": deps.corpus_id}) for s in sources]
    titles = await run_for_turn(queries.document_titles, deps.user, {deps.document_id})
    return cite_passages(ctx, sources, titles)


async def read_passage(
    ctx: RunContext[AgentDeps],
    annotation_id: int | None = None,
    first_page: int | None = None,
    last_page: int | None = None,
) -> PassageResults | str:
    """Read one passage by its annotation id, or the passages of a page range of this document.

    Args:
        annotation_id: The id of a passage (as given in earlier results).
        first_page: First page to read (1-based), when reading by pages.
        last_page: Last page to read; defaults to `first_page`.
    """
    deps = ctx.deps
    document_id = deps.document_id
    if document_id is None:
        return NO_DOCUMENT
    if annotation_id is not None:
        sources = await run_for_turn(
            queries.passages_by_ids, deps.user, document_id, [annotation_id], deps.corpus_id
        )
    elif first_page is not None:
        sources = await run_for_turn(
            queries.passages_on_pages,
            deps.user,
            document_id,
            first_page,
            last_page or first_page,
            deps.corpus_id,
            20,
        )
    else:
        return "Give an annotation_id or a first_page."
    if not sources:
        return "No such passage in this document."
    titles = await run_for_turn(queries.document_titles, deps.user, {document_id})
    return cite_passages(ctx, sources, titles)


async def get_document_outline(ctx: RunContext[AgentDeps]) -> str:
    """The document's title, page count and headings (or each page's opening words)."""
    deps = ctx.deps
    document = await run_for_turn(queries.visible_document, deps.user, deps.document_id)
    if document is None:
        return NO_DOCUMENT
    rows = await run_for_turn(queries.outline, deps.user, document.pk)
    lines = [f'"{document.title}", {document.page_count} page(s).']
    lines += [f"- page {page} (passage {pk}): {text}" for page, pk, text in rows]
    return "\n".join(lines)


async def get_document_summary(ctx: RunContext[AgentDeps]) -> str:
    """The stored summary (or description) of this document."""
    deps = ctx.deps
    document = await run_for_turn(queries.visible_document, deps.user, deps.document_id)
    if document is None:
        return NO_DOCUMENT
    summary = document.summary or document.description
    return summary or "No summary is stored for this document yet."


async def list_annotations(ctx: RunContext[AgentDeps], limit: int = 30) -> str:
    """Annotations people (or you, with approval) made on this document: id, label, page, text.

    Args:
        limit: How many to list (1-100).
    """
    deps = ctx.deps
    if deps.document_id is None:
        return NO_DOCUMENT
    found = await run_for_turn(
        queries.user_annotations, deps.user, deps.document_id, min(max(limit, 1), 100)
    )
    if not found:
        return "This document has no annotations yet."
    return "\n".join(
        f"- annotation {a.pk} [{a.label or 'no label'}] page {a.page}: {a.raw_text[:200]}"
        for a in found
    )


def document_read_tools() -> FunctionToolset[AgentDeps]:
    return FunctionToolset[AgentDeps](
        [
            search_document,
            read_passage,
            read_neighbours,
            get_document_outline,
            get_document_summary,
            list_annotations,
        ]
    )
