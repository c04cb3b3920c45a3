"""Tools of the corpus agent. The corpus is the turn's; document ids the model passes are
checked to be readable documents of that corpus."""

from __future__ import annotations

from pydantic_ai import FunctionToolset, RunContext

from opencontractserver.annotations.search import search_passages_async
from opencontractserver.corpuses.models import Corpus
from opencontractserver.corpuses.services import update_corpus, writable_corpus
from opencontractserver.llms.agents.deps import AgentDeps
from opencontractserver.permissions import AnyUser
from opencontractserver.shared.db_threads import run_for_turn

from . import queries
from .approvals import approved_write
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
    sources = await search_passages_async(
        deps.user, query, corpus_id=deps.corpus_id, limit=min(max(limit, 1), 10)
    )
    titles = await run_for_turn(
        queries.document_titles, deps.user, {s.document_id for s in sources}
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
    documents = await run_for_turn(
        queries.corpus_documents, deps.user, deps.corpus_id, title_contains, 50
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
    outcome = await approved_write(
        ctx,
        target_id=ctx.deps.corpus_id,
        check=writable_corpus,
        refused="You may not change this corpus, so this was not done.",
        write=_set_description,
        args=(description,),
    )
    if isinstance(outcome, str):
        return outcome
    return "The corpus description was updated."


def _set_description(user: AnyUser, corpus_id: int, description: str) -> Corpus:
    return update_corpus(user, corpus_id, description=description.strip())


def corpus_tools() -> FunctionToolset[AgentDeps]:
    return FunctionToolset[AgentDeps](
        [search_corpus, read_neighbours, list_documents, ask_document, update_corpus_description]
    )
