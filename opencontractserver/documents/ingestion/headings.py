"""The heading each passage sits under: what a reader sees above it ("6. Personal Data Breach").

A heading is a paragraph that chunking treats as one (a Markdown `#` line, or a short paragraph
that does not end like a sentence: "SECTION 3 - SCHEDULE"), or the capitalised lead-in of a
numbered clause ("4. SALARY. The Company pays ..."). A passage sits under the last heading that
starts at or before it; text before any heading has none. Used for the context a passage is
embedded and indexed with (annotations/passage_context.py); stored text and offsets are unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .chunking import Span, _is_heading, _paragraphs

HEADING_MAX_CHARS = 120
_LEAD_IN = re.compile(r"(\d+(?:\.\d+)*\.?\s+[A-Z][A-Z0-9 ,&'/-]{2,80}?)\.\s")
_MARKUP = re.compile(r"^#+\s*")


def section_headings(text: str, starts: Sequence[int]) -> list[str]:
    """For each passage start offset, the heading of the section it sits in ('' if none)."""
    order = sorted(range(len(starts)), key=starts.__getitem__)
    headings = SectionHeadings(text)
    result = [""] * len(starts)
    for index in order:
        result[index] = headings.at(starts[index])
    return result


class SectionHeadings:
    """The heading of the section at each offset, asked for in increasing order of offsets.

    It walks the text's paragraphs once, as far as the offsets asked for, and keeps only the
    last heading met: whatever the shape of the text (millions of one-word paragraphs, one
    paragraph of 20 MB), it holds one paragraph and one heading at a time.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._paragraphs = _paragraphs(text, 0, len(text))
        self._next: Span | None = next(self._paragraphs, None)
        self._current = ""

    def at(self, start: int) -> str:
        """The heading of the last section starting at or before `start` (not before the
        previous call's offset)."""
        while self._next is not None and self._next.start <= start:
            heading = _heading_of(self._text, self._next)
            if heading is not None:
                self._current = heading
            self._next = next(self._paragraphs, None)
        return self._current


def _heading_of(text: str, paragraph: Span) -> str | None:
    if _is_heading(text, paragraph):
        piece = text[paragraph.start : paragraph.end]
        heading = _MARKUP.sub("", " ".join(piece.split()))
    else:
        # matched in place: a slice of a 20 MB paragraph would copy it for a 100-character look
        lead_in = _LEAD_IN.match(text, paragraph.start, paragraph.end)
        if lead_in is None:
            return None
        heading = " ".join(lead_in.group(1).split())
    return heading[:HEADING_MAX_CHARS]
