"""A cited passage (`Source`): what search finds, what an agent cites and what a turn stores.

The chat protocol (config/websocket/protocol.py) and the HTTP search endpoint both send it as-is;
it lives here, with the passages it points at, so the domain never imports the transport.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from .models import Annotation


class Source(BaseModel):
    """A passage an answer rests on; `score` is relevance, higher is better."""

    model_config = ConfigDict(
        populate_by_name=True, json_schema_serialization_defaults_required=True
    )

    annotation_id: int
    document_id: int
    corpus_id: int | None = None
    page: int
    char_start: int
    char_end: int
    rawText: str
    json_: dict[str, Any] = Field(default_factory=dict, alias="json")
    label: str = ""
    score: float

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True)


def source_from_annotation(annotation: Annotation, corpus_id: int | None, score: float) -> Source:
    return Source(
        annotation_id=annotation.pk,
        document_id=annotation.document_id,
        corpus_id=corpus_id,
        page=annotation.page,
        char_start=annotation.char_start,
        char_end=annotation.char_end,
        rawText=annotation.raw_text,
        json_=annotation.json,
        label=annotation.label,
        score=score,
    )
