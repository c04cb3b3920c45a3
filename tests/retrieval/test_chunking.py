"""Passages are paragraph-sized, overlap a little, and never split a word."""

from __future__ import annotations

import itertools
import random

import pytest

from opencontractserver.documents.ingestion.chunking import MAX_CHARS, OVERLAP_CHARS, chunk_span
from opencontractserver.documents.ingestion.extraction import (
    IngestionError,
    detect_kind,
    extract,
)

WORDS = [
    "tenant",
    "landlord",
    "shall",
    "pay",
    "rent",
    "notice",
    "terminate",
    "agreement",
    "premises",
    "deposit",
]


def random_text(seed: int) -> str:
    rng = random.Random(seed)
    paragraphs = []
    for _ in range(rng.randint(1, 12)):
        sentences = []
        for _ in range(rng.randint(1, 25)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(3, 30))]
            sentences.append(" ".join(words).capitalize() + rng.choice([".", ";", ":", ""]))
        paragraphs.append(" ".join(sentences))
    return rng.choice(["", "\n", "  "]) + "\n\n".join(paragraphs) + rng.choice(["", "\n\n "])


@pytest.mark.parametrize("seed", range(30))
def test_passages_start_and_end_on_word_boundaries_and_cover_every_word(seed: int) -> None:
    text = random_text(seed)
    spans = chunk_span(text, 0, len(text))
    assert spans
    covered: set[int] = set()
    for span in spans:
        assert span.start < span.end
        assert not text[span.start].isspace() and not text[span.end - 1].isspace()
        assert span.start == 0 or text[span.start - 1].isspace()
        assert span.end == len(text) or text[span.end].isspace()
        assert span.end - span.start <= MAX_CHARS + OVERLAP_CHARS
        covered.update(range(span.start, span.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
    assert [s.start for s in spans] == sorted(s.start for s in spans)


def test_a_long_paragraph_is_cut_into_overlapping_passages() -> None:
    sentence = "The tenant shall keep the premises clean and in good repair at all times. "
    text = sentence * 60
    spans = chunk_span(text, 0, len(text))
    assert len(spans) > 2
    for previous, current in itertools.pairwise(spans):
        assert current.start < previous.end  # a little overlap
        assert previous.end - current.start <= OVERLAP_CHARS
        assert text[current.start : current.start + 4] == "The "  # starts on a sentence


def test_short_paragraphs_are_packed_together() -> None:
    text = "\n\n".join(f"Clause {i}. The rent is due." for i in range(10))
    spans = chunk_span(text, 0, len(text))
    assert len(spans) == 1
    assert text[spans[0].start : spans[0].end] == text


def test_a_heading_starts_a_passage_instead_of_ending_one() -> None:
    body = "The tenant pays the rent on the first day of every month by transfer. " * 4
    text = f"## 1. Rent\n\n{body.strip()}\n\n## 2. Deposit\n\nThe deposit is two months."
    spans = chunk_span(text, 0, len(text))
    texts = [text[s.start : s.end] for s in spans]
    assert texts == [f"## 1. Rent\n\n{body.strip()}", "## 2. Deposit\n\nThe deposit is two months."]


def test_a_word_longer_than_a_passage_is_cut_between_characters() -> None:
    """Issue 13: a word is kept whole only up to MAX_CHARS; past that a passage would be
    unbounded (a text without spaces became one 20 MB passage)."""
    text = "start " + "x" * 3000 + " end"
    spans = chunk_span(text, 0, len(text))
    assert max(s.end - s.start for s in spans) <= MAX_CHARS + OVERLAP_CHARS
    assert text[spans[0].start : spans[0].end] == "start"
    assert text[spans[1].start : spans[1].end] == "x" * MAX_CHARS


@pytest.mark.parametrize(
    ("name", "mime", "kind"),
    [
        ("a.pdf", "", "pdf"),
        ("a.TXT", "", "text"),
        ("a.md", "", "markdown"),
        ("upload", "application/pdf", "pdf"),
        ("upload", "text/markdown; charset=utf-8", "markdown"),
    ],
)
def test_file_kind_comes_from_extension_then_mime_type(name: str, mime: str, kind: str) -> None:
    assert detect_kind(name, mime, b"x") == kind


def test_other_file_types_are_refused() -> None:
    with pytest.raises(IngestionError, match=r"Unsupported file type \(\.docx\)"):
        detect_kind("contract.docx", "application/msword", b"PK")


def test_text_offsets_are_into_normalised_text() -> None:
    extracted = extract("\ufeffLine one.\r\nLine two.\r\n".encode(), "text")
    assert extracted.text == "Line one.\nLine two.\n"
    assert extracted.pages[0].char_end == len(extracted.text)
