"""The passages of an extracted document: spans, pages and the JSON a viewer draws from.

`Annotation.json` of a passage:
- text documents: `{"start": s, "end": e}` (character offsets into `Document.text`);
- PDFs: the same plus `"pages": [{"page", "width", "height", "bounds", "words"}]`, where `bounds`
  and each entry of `words` are `[x0, top, x1, bottom]` in PDF points from the page's top-left
  corner, and `width`/`height` are the page's size in the same unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .chunking import chunk_span
from .extraction import ExtractedText, PageText, WordBox


@dataclass(frozen=True)
class Passage:
    page: int
    char_start: int
    char_end: int
    raw_text: str
    json: dict[str, Any]


def passages_of(extracted: ExtractedText) -> list[Passage]:
    """Every passage of the document, page by page, in reading order."""
    passages: list[Passage] = []
    for page in extracted.pages:
        for span in chunk_span(extracted.text, page.char_start, page.char_end):
            layout: dict[str, Any] = {"start": span.start, "end": span.end}
            if extracted.kind == "pdf":
                layout["pages"] = [_page_layout(page, span.start, span.end)]
            passages.append(
                Passage(
                    page=page.number,
                    char_start=span.start,
                    char_end=span.end,
                    raw_text=extracted.text[span.start : span.end],
                    json=layout,
                )
            )
    return passages


def _page_layout(page: PageText, start: int, end: int) -> dict[str, Any]:
    words = [w for w in page.words if w.char_start >= start and w.char_end <= end]
    return {
        "page": page.number,
        "width": page.width,
        "height": page.height,
        "bounds": _bounds(words),
        "words": [_box(w) for w in words],
    }


def _box(word: WordBox) -> list[float]:
    return [round(word.x0, 2), round(word.top, 2), round(word.x1, 2), round(word.bottom, 2)]


def _bounds(words: list[WordBox]) -> list[float] | None:
    if not words:
        return None
    return [
        round(min(w.x0 for w in words), 2),
        round(min(w.top for w in words), 2),
        round(max(w.x1 for w in words), 2),
        round(max(w.bottom for w in words), 2),
    ]
