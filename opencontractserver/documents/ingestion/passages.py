"""The passages of an extracted document: spans, pages and the JSON a viewer draws from.

`Annotation.json` of a passage:
- text documents: `{"start": s, "end": e}` (character offsets into `Document.text`);
- PDFs: the same plus `"pages": [{"page", "width", "height", "bounds", "words"}]`, where `bounds`
  and each entry of `words` are `[x0, top, x1, bottom]` in PDF points from the page's top-left
  corner, and `width`/`height` are the page's size in the same unit.

A document's passages are kept as `PassageSpans` (three integers each, in arrays) and turned into
`Passage` objects, with their text and JSON, a batch at a time (`PassageSpans.batch`), so a large
document is never held as tens of thousands of passage objects.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .chunking import iter_spans
from .extraction import ExtractedText, PageText, WordBox
from .headings import SectionHeadings


@dataclass(frozen=True)
class Passage:
    page: int
    char_start: int
    char_end: int
    raw_text: str
    json: dict[str, Any]
    heading: str


class PassageSpans:
    """Every passage of a document, page by page, in reading order: page, start, end (and the
    heading it sits under, one shared string per section)."""

    def __init__(self, extracted: ExtractedText) -> None:
        self.extracted = extracted
        self._pages = array("q")
        self._starts = array("q")
        self._ends = array("q")
        self._headings: list[str] = []
        headings = SectionHeadings(extracted.text)
        for index, page in enumerate(extracted.pages):
            for span in iter_spans(extracted.text, page.char_start, page.char_end):
                self._pages.append(index)
                self._starts.append(span.start)
                self._ends.append(span.end)
                self._headings.append(headings.at(span.start))

    def __len__(self) -> int:
        return len(self._starts)

    def texts(self) -> Iterator[tuple[str, str]]:
        """(heading, text) of every passage, in order: what the embedder needs, no JSON."""
        text = self.extracted.text
        for index in range(len(self)):
            yield self._headings[index], text[self._starts[index] : self._ends[index]]

    def batch(self, start: int, stop: int) -> list[Passage]:
        """The passages `start` to `stop` (exclusive), with their text and JSON."""
        return [self._passage(index) for index in range(start, min(stop, len(self)))]

    def batches(self, size: int) -> Iterator[list[Passage]]:
        for start in range(0, len(self), size):
            yield self.batch(start, start + size)

    def _passage(self, index: int) -> Passage:
        page = self.extracted.pages[self._pages[index]]
        start, end = self._starts[index], self._ends[index]
        layout: dict[str, Any] = {"start": start, "end": end}
        if self.extracted.kind == "pdf":
            layout["pages"] = [_page_layout(page, start, end)]
        return Passage(
            page=page.number,
            char_start=start,
            char_end=end,
            raw_text=self.extracted.text[start:end],
            json=layout,
            heading=self._headings[index],
        )


def _page_layout(page: PageText, start: int, end: int) -> dict[str, Any]:
    words = page.words.inside(start, end)
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
