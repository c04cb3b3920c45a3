"""Tools of the corpus agent. The corpus is the turn's; document ids the model passes are
checked to be readable documents of that corpus."""

from __future__ import annotations

from channels.db import database_sync_to_async
from pydantic_ai import FunctionToolset, RunContext

from opencontractserver.annotations.search import search_passages
from opencontractserver.llms.agents.deps import AgentDeps

from . import queries, write_services
from .approvals import require_approval
from .ask_document import ask_document
from .neighbours import read_neighbours
from .passages import PassageResults, cite_passages

NO_CORPUS = "There is no corpus in this chat that you may read."


async def search_corpus(
    ctx: RunContext[AgentDeps], query: str, limit: int = 6
) -> PassageResults | str:
    """Search every document of this corpus for passages relevant to `query`.

    Args:
        query: What to look for.
        limit: How many passages to return (1-10).
    """
    deps = ctx.deps
    if deps.corpus_id is None:
        return NO_CORPUS
    sources = await database_sync_to_async(search_passages)(
        deps.user, query, corpus_id=deps.corpus_id, limit=min(max(limit, 1), 10)
    )
    titles = await database_sync_to_async(queries.document_titles)(
        deps.user, {s.document_id for s in sources}
    )
    return cite_passages(ctx, sources, titles)


async def list_documents(ctx: RunContext[AgentDeps], title_contains: str = "") -> str:
    """The documents of this corpus: id, title, pages and description.

    Args:
        title_contains: Only documents whose title contains this text.
    """
    deps = ctx.deps
    if deps.corpus_id is None:
        return NO_CORPUS
    documents = await database_sync_to_async(queries.corpus_documents)(
        deps.user, deps.corpus_id, title_contains, 50
    )
    if not documents:
        return "No documents found."
    lines = []
    for document in documents:
        about = f": {document.description[:160]}" if document.description else ""
        lines.append(
            f"- document {document.pk}: {document.title} ({document.page_count} pages){about}"
        )
    return "\n".join(lines)


async def update_corpus_description(ctx: RunContext[AgentDeps], description: str) -> str:
    """Replace this corpus's description (asks the user for approval first).

    Args:
        description: The new description.
    """
    deps = ctx.deps
    if not await database_sync_to_async(write_services.can_write_corpus)(deps.user, deps.corpus_id):
        return "You may not change this corpus, so this was not done."
    require_approval(ctx)
    assert deps.corpus_id is not None
    try:
        await database_sync_to_async(write_services.update_corpus_description)(
            deps.user, deps.corpus_id, description
        )
    except write_services.WriteRefused as refused:
        return str(refused)
    return "The corpus description was updated."


def corpus_tools() -> FunctionToolset[AgentDeps]:
    return FunctionToolset[AgentDeps](
        [search_corpus, read_neighbours, list_documents, ask_document, update_corpus_description]
    )
