"""Citation numbers for one turn, and a stream filter that keeps only citations that were sent.

Every passage a tool hands the model gets a number, in first-seen order across the whole turn
(sub-agents share the parent's registry): `[1]` is the first source the turn sent in ASYNC_SOURCES,
`[2]` the second, and so on. The number is stable for the turn, also across an approval pause.
"""

from __future__ import annotations

import re

from opencontractserver.annotations.sources import Source

_MARKER = re.compile(r"\[(\s*\d+(?:\s*[,;]\s*\d+)*\s*)\]")
_MAX_MARKER_LENGTH = 24


class CitationRegistry:
    """Numbers sources in first-seen order and remembers which ones were sent to the client."""

    def __init__(self, sent_annotation_ids: list[int] | None = None) -> None:
        self._numbers: dict[int, int] = {}
        self._unsent: list[Source] = []
        for annotation_id in sent_annotation_ids or []:
            self._numbers[annotation_id] = len(self._numbers) + 1

    def cite(self, source: Source) -> int:
        """The citation number of `source`, registering it (to be sent) if it is new."""
        number = self._numbers.get(source.annotation_id)
        if number is None:
            number = len(self._numbers) + 1
            self._numbers[source.annotation_id] = number
            self._unsent.append(source)
        return number

    def take_unsent(self) -> list[Source]:
        """Sources registered but not yet sent, in citation order; they count as sent afterwards."""
        unsent, self._unsent = self._unsent, []
        return unsent

    def is_sent(self, number: int) -> bool:
        return 1 <= number <= self.sent_count

    @property
    def sent_count(self) -> int:
        return len(self._numbers) - len(self._unsent)

    def annotation_ids(self) -> list[int]:
        """The annotation ids in citation order (what an approval pause stores to resume)."""
        return sorted(self._numbers, key=self._numbers.__getitem__)


class CitationFilter:
    """Streams text through, dropping citation markers whose numbers were never sent.

    Text after an unclosed `[` is held back until the marker closes (or clearly is not one), so a
    marker split across deltas is judged whole.
    """

    def __init__(self, registry: CitationRegistry) -> None:
        self._registry = registry
        self._held = ""

    def feed(self, text: str) -> str:
        buffer = self._held + text
        self._held = ""
        out: list[str] = []
        i = 0
        while i < len(buffer):
            start = buffer.find("[", i)
            if start == -1:
                out.append(buffer[i:])
                break
            out.append(buffer[i:start])
            end = buffer.find("]", start)
            nested = buffer.find("[", start + 1)
            if nested != -1 and (end == -1 or nested < end):
                out.append("[")
                i = start + 1
                continue
            if end == -1:
                if len(buffer) - start < _MAX_MARKER_LENGTH:
                    self._held = buffer[start:]
                    break
                out.append("[")
                i = start + 1
                continue
            match = _MARKER.fullmatch(buffer, start, end + 1)
            out.append(self._checked(match.group(1)) if match else buffer[start : end + 1])
            i = end + 1
        return "".join(out)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return held

    def _checked(self, inner: str) -> str:
        numbers = [int(n) for n in re.split(r"[,;]", inner)]
        valid = [n for n in numbers if self._registry.is_sent(n)]
        if not valid:
            return ""
        if len(valid) == len(numbers):
            return f"[{inner}]"
        return "[" + ", ".join(str(n) for n in valid) + "]"


def cited_numbers(text: str) -> list[int]:
    """Every citation number in `text`, in order of appearance (with repeats)."""
    return [int(n) for m in _MARKER.finditer(text) for n in re.split(r"[,;]", m.group(1))]
