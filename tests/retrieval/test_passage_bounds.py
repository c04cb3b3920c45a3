"""Issue 13 defect 7: a passage is bounded in size whatever the text's shape: cut at sentence
ends, then between words, then between characters (never inside a combining sequence)."""

from __future__ import annotations

import pytest

from opencontractserver.documents.ingestion.chunking import MAX_PASSAGE_CHARS, chunk_span

SHAPES = {
    "one enormous word": "x" * 50_000,
    "commas without spaces": "a," * 25_000,
    "one line of words": "word " * 10_000,
    "sentences without line breaks": "This is a sentence. " * 2_500,
    "japanese sentences": "賃料は毎月支払う。" * 5_000,
    "chinese without punctuation": "契約" * 25_000,
    "combining marks": "e\u0301" * 25_000,
    "lines without blank lines": "a line\n" * 7_000,
}


def _covered(text: str, spans: list[tuple[int, int]]) -> str:
    """The text the passages hold, each overlap counted once."""
    covered, position = [], 0
    for start, end in spans:
        covered.append(text[max(start, position) : end])
        position = max(position, end)
    return "".join(covered)


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_passage_is_bounded_and_the_text_is_kept(shape: str) -> None:
    text = SHAPES[shape]
    spans = [(s.start, s.end) for s in chunk_span(text, 0, len(text))]
    assert len(spans) > 1
    assert max(end - start for start, end in spans) <= MAX_PASSAGE_CHARS
    assert "".join(_covered(text, spans).split()) == "".join(text.split())


def test_sentences_of_scripts_without_spaces_end_at_their_full_stops() -> None:
    text = SHAPES["japanese sentences"]
    for span in chunk_span(text, 0, len(text)):
        assert text[span.end - 1] == "。"


def test_a_character_cut_never_separates_a_combining_mark_from_its_letter() -> None:
    text = SHAPES["combining marks"]
    for span in chunk_span(text, 0, len(text)):
        assert text[span.start] == "e"
        assert text[span.end - 1] == "\u0301"
