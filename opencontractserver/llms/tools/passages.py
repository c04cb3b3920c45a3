"""How passages are handed to the model: numbered for citation, registered to be sent as sources."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic_ai import RunContext

from opencontractserver.annotations.sources import Source
from opencontractserver.llms.agents.deps import AgentDeps

CITE_NOTE = "Cite a passage you rely on by its number in brackets after the claim, e.g. [1]."


class CitedPassage(BaseModel):
    cite: int
    document_id: int
    document_title: str
    page: int
    annotation_id: int
    text: str


class PassageResults(BaseModel):
    """A tool result carrying passages; `note` reminds the model how to cite them."""

    passages: list[CitedPassage]
    note: str = CITE_NOTE


def cite_passages(
    ctx: RunContext[AgentDeps], sources: list[Source], titles: dict[int, str]
) -> PassageResults:
    """Number `sources` in the turn's registry (sent to the client with the tool result)."""
    return PassageResults(
        passages=[
            CitedPassage(
                cite=ctx.deps.citations.cite(source),
                document_id=source.document_id,
                document_title=titles.get(source.document_id, ""),
                page=source.page,
                annotation_id=source.annotation_id,
                text=source.rawText,
            )
            for source in sources
        ]
    )
