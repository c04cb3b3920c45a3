"""Reading around a passage: the passages just before and after it in its document.

A clause often continues past the passage a search returned ("... subject to clause 9.2", a list
cut at the passage's end). `read_neighbours` lets the agent read on, as a reader turns the page.
Only passages of the chat's document (document agent) or of a readable document of the chat's
corpus (corpus agent) are returned.
"""

from __future__ import annotations

from pydantic_ai import RunContext

from opencontractserver.annotations.models import Annotation
from opencontractserver.annotations.sources import Source, source_from_annotation
from opencontractserver.llms.agents.deps import AgentDeps
from opencontractserver.shared.db_threads import run_for_turn

from . import queries
from .passages import PassageResults, cite_passages

MAX_AROUND = 3
NOT_IN_SCOPE = "No such passage in the documents of this chat."


async def read_neighbours(
    ctx: RunContext[AgentDeps], annotation_id: int, before: int = 1, after: int = 1
) -> PassageResults | str:
    """Read the passages just before and after a passage (when a clause continues or refers on).

    Args:
        annotation_id: The id of a passage from an earlier result.
        before: How many passages before it to read (0-3).
        after: How many passages after it to read (0-3).
    """
    deps = ctx.deps
    sources = await run_for_turn(
        neighbouring_passages,
        deps,
        annotation_id,
        min(max(before, 0), MAX_AROUND),
        min(max(after, 0), MAX_AROUND),
    )
    if not sources:
        return NOT_IN_SCOPE
    titles = await run_for_turn(
        queries.document_titles, deps.user, {s.document_id for s in sources}
    )
    return cite_passages(ctx, sources, titles)


def neighbouring_passages(
    deps: AgentDeps, annotation_id: int, before: int, after: int
) -> list[Source]:
    """The passage and its neighbours in reading order, if the passage is in the chat's scope."""
    visible = Annotation.objects.visible_to(deps.user)
    passage: Annotation | None = visible.filter(pk=annotation_id, structural=True).first()
    if passage is None or not _in_scope(deps, passage.document_id):
        return []
    same_document = Annotation.objects.filter(document_id=passage.document_id, structural=True)
    earlier = list(
        same_document.filter(char_start__lt=passage.char_start).order_by("-char_start", "-id")[
            :before
        ]
    )
    later = list(
        same_document.filter(char_start__gt=passage.char_start).order_by("char_start", "id")[:after]
    )
    ordered = [*reversed(earlier), passage, *later]
    return [source_from_annotation(a, deps.corpus_id, 1.0) for a in ordered]


def _in_scope(deps: AgentDeps, document_id: int) -> bool:
    if deps.document_id is not None:
        return document_id == deps.document_id
    if deps.corpus_id is None:
        return False
    return queries.document_in_corpus(deps.user, document_id, deps.corpus_id) is not None
