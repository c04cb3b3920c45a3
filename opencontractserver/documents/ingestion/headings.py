"""The heading each passage sits under: what a reader sees above it ("6. Personal Data Breach").

A heading is a paragraph that chunking treats as one (a Markdown `#` line, or a short paragraph
that does not end like a sentence: "SECTION 3 - SCHEDULE"), or the capitalised lead-in of a
numbered clause ("4. SALARY. The Company pays ..."). A passage sits under the last heading that
starts at or before it; text before any heading has none. Used for the context a passage is
embedded and indexed with (annotations/passage_context.py); stored text and offsets are unchanged.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from .chunking import _is_heading, _paragraphs

HEADING_MAX_CHARS = 120
_LEAD_IN = re.compile(r"(\d+(?:\.\d+)*\.?\s+[A-Z][A-Z0-9 ,&'/-]{2,80}?)\.\s")
_MARKUP = re.compile(r"^#+\s*")


def section_headings(text: str, starts: Sequence[int]) -> list[str]:
    """For each passage start offset, the heading of the section it sits in ('' if none)."""
    positions: list[int] = []
    headings: list[str] = []
    for paragraph in _paragraphs(text, 0, len(text)):
        piece = text[paragraph.start : paragraph.end]
        if _is_heading(text, paragraph):
            heading = _MARKUP.sub("", " ".join(piece.split()))
        else:
            lead_in = _LEAD_IN.match(piece)
            if lead_in is None:
                continue
            heading = " ".join(lead_in.group(1).split())
        positions.append(paragraph.start)
        headings.append(heading[:HEADING_MAX_CHARS])
    result = []
    for start in starts:
        index = bisect.bisect_right(positions, start) - 1
        result.append(headings[index] if index >= 0 else "")
    return result
