"""Cutting text into passages of roughly paragraph size, with a little overlap.

A passage never splits a word: it starts at the start of a word and ends at the end of one, and
it has no surrounding whitespace (only a "word" longer than `max_chars`, such as a text without
spaces, is cut between characters, never inside a combining sequence). Paragraphs (blank-line
separated) are packed together up to `target` characters, except that a heading (a short
paragraph without a sentence end) starts a new passage rather than trailing at the end of one; a
paragraph longer than `max_chars` is cut at sentence ends (also the full stops of scripts written
without spaces), or failing that between words, or failing that between characters, so no
passage is ever longer than MAX_PASSAGE_CHARS whatever the shape of the text. Each passage after
the first of a page (unless it opens with a heading) also repeats the end of the previous one (up
to `overlap` characters, from a sentence or word start) so that an answer sitting on a boundary
is whole in at least one passage. Passages never cross pages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

TARGET_CHARS = 600
MAX_CHARS = 1000
OVERLAP_CHARS = 120
HEADING_MAX_CHARS = 100
MAX_PASSAGE_CHARS = MAX_CHARS + OVERLAP_CHARS
"""The longest passage chunk_span can produce (a piece of at most MAX_CHARS plus its overlap)."""

# A blank line. Paragraphs are what lies between, trimmed: finding short breaks keeps every regex
# call short (matching whole paragraphs held the interpreter for seconds on a 20 MB paragraph,
# stalling every request of the process).
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# A sentence end: Latin punctuation before whitespace, or a full-width (CJK) full stop.
_SENTENCE_END = re.compile(
    r"[.!?;:][\"')\]]?\s+|[\u3002\uff01\uff1f\uff1b][\u300d\u300f\uff09]?\s*"
)
_LAST_SPACE = re.compile(r".*\s", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


def chunk_span(
    text: str,
    start: int,
    end: int,
    *,
    target: int = TARGET_CHARS,
    max_chars: int = MAX_CHARS,
    overlap: int = OVERLAP_CHARS,
) -> list[Span]:
    """The passages of `text[start:end]` as spans into `text`."""
    return list(iter_spans(text, start, end, target=target, max_chars=max_chars, overlap=overlap))


def iter_spans(
    text: str,
    start: int,
    end: int,
    *,
    target: int = TARGET_CHARS,
    max_chars: int = MAX_CHARS,
    overlap: int = OVERLAP_CHARS,
) -> Iterator[Span]:
    """`chunk_span` one passage at a time: every step is a generator, so however many
    paragraphs and pieces the text has, only the current ones are held."""
    pieces = (
        piece
        for paragraph in _paragraphs(text, start, end)
        for piece in _split_long(text, paragraph, max_chars)
    )
    previous: Span | None = None
    for current in _pack(text, pieces, target, max_chars):
        yield current if previous is None else _with_overlap(text, previous, current, overlap)
        previous = current


def _with_overlap(text: str, previous: Span, current: Span, overlap: int) -> Span:
    """`current`, starting earlier to repeat the tail of `previous` (not before a heading)."""
    first_break = text.find("\n\n", current.start, current.end)
    first_paragraph = Span(current.start, current.end if first_break < 0 else first_break)
    if _is_heading(text, first_paragraph):
        return current
    return Span(_overlap_start(text, previous, current, overlap), current.end)


def _paragraphs(text: str, start: int, end: int) -> Iterator[Span]:
    """The non-empty paragraphs of `text[start:end]`, trimmed, in order."""
    position = start
    for match in _PARAGRAPH_BREAK.finditer(text, start, end):
        span = _trimmed(text, position, match.start())
        if span.end > span.start:
            yield span
        position = match.end()
    span = _trimmed(text, position, end)
    if span.end > span.start:
        yield span


def _trimmed(text: str, start: int, end: int) -> Span:
    start = _skip_space(text, start, end)
    return Span(start, _trim_end(text, start, end))


def _split_long(text: str, span: Span, max_chars: int) -> Iterator[Span]:
    """Cut a too-long paragraph at sentence ends, else between words, into spans <= max_chars."""
    start = span.start
    while span.end - start > max_chars:
        limit = start + max_chars
        cut = _last_sentence_end(text, start + max_chars // 2, limit)
        if cut is None:
            cut = _last_space(text, start + 1, limit)
        if cut is None:  # a "word" longer than a passage: cut between characters
            cut = _character_boundary(text, start, limit)
        piece_end = _trim_end(text, start, cut)
        yield Span(start, piece_end)
        start = _skip_space(text, cut, span.end)
        if start >= span.end:
            return
    yield Span(start, span.end)


def _pack(text: str, pieces: Iterable[Span], target: int, max_chars: int) -> Iterator[Span]:
    """Merge consecutive pieces while the passage stays under `target` (or tiny)."""
    last: Span | None = None
    for piece in pieces:
        if last is not None:
            merged = piece.end - last.start
            small = last.end - last.start < target // 3
            if _is_heading(text, piece) and not small:
                yield last
                last = piece
                continue
            if merged <= target or (small and merged <= max_chars):
                last = Span(last.start, piece.end)
                continue
            yield last
        last = piece
    if last is not None:
        yield last


def _is_heading(text: str, span: Span) -> bool:
    """A short paragraph that does not end like a sentence ("## 4. Security Deposit")."""
    if span.end - span.start > HEADING_MAX_CHARS:
        return False
    piece = text[span.start : span.end]
    return piece.startswith("#") or piece[-1] not in ".;:!?\"')"


def _overlap_start(text: str, previous: Span, current: Span, overlap: int) -> int:
    """Where `current` starts once it repeats the tail of `previous` (a sentence or word start)."""
    window_start = max(previous.start + 1, current.start - overlap)
    if window_start >= current.start:
        return current.start
    sentence = _first_sentence_start(text, window_start, current.start)
    if sentence is not None:
        return sentence
    position = window_start
    while position < current.start and not (
        text[position - 1].isspace() and not text[position].isspace()
    ):
        position += 1
    return position


def _last_sentence_end(text: str, low: int, high: int) -> int | None:
    """The position just after the last sentence end (and its whitespace) in [low, high)."""
    found = None
    for match in _SENTENCE_END.finditer(text, low, high):
        found = match.end()
    return found


def _first_sentence_start(text: str, low: int, high: int) -> int | None:
    match = _SENTENCE_END.search(text, low, high)
    if match is None or match.end() >= high:
        return None
    return match.end()


def _last_space(text: str, low: int, high: int) -> int | None:
    """The last whitespace position in [low, high]."""
    match = _LAST_SPACE.match(text, low, min(high + 1, len(text)))
    return None if match is None else match.end() - 1


def _character_boundary(text: str, low: int, high: int) -> int:
    """`high`, moved back so that it does not separate a combining mark from its base."""
    position = high
    while position > low + 1 and unicodedata.combining(text[position]):
        position -= 1
    return position


def _skip_space(text: str, position: int, high: int) -> int:
    while position < high and text[position].isspace():
        position += 1
    return position


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end
