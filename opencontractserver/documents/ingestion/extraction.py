"""From file bytes to the document text, its pages and (for PDFs) the box of every word.

The text of a PDF is rebuilt from its words: words on a line are joined by one space, lines by a
newline, paragraphs (a vertical gap taller than a good part of a line) by a blank line, and pages
by a blank line. Lines are read in the page's reading direction after its /Rotate, so a turned
page's text reads as a viewer shows it, not one word per line. So the character offsets of every
word are known exactly, and a passage's boxes are the boxes of the words inside its span.
Coordinates are PDF points from the top-left corner of the page as a viewer shows it (its CropBox,
turned by its /Rotate), with that page's width and height beside them: a viewer scales them by its
rendered size and nothing else.
"""

from __future__ import annotations

import bisect
import io
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Literal

FileKind = Literal["pdf", "text", "markdown"]

SUPPORTED_EXTENSIONS: dict[str, FileKind] = {
    ".pdf": "pdf",
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
}
SUPPORTED_MIME_TYPES: dict[str, FileKind] = {
    "application/pdf": "pdf",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
}
_PARAGRAPH_GAP = 0.6  # a gap between lines taller than this share of a line starts a paragraph
PAGE_SEPARATOR = "\n\n"


class IngestionError(Exception):
    """A file that cannot become passages; the message is shown to the user."""


@dataclass(frozen=True)
class WordBox:
    char_start: int
    char_end: int
    x0: float
    top: float
    x1: float
    bottom: float


class PageWords:
    """The words of one page in reading order, packed in arrays (~40 bytes a word; a list of
    WordBox objects took ~250, and a large PDF has hundreds of thousands of words)."""

    def __init__(self) -> None:
        self._starts = array("q")
        self._ends = array("q")
        self._boxes = array("d")  # x0, top, x1, bottom of each word

    def append(self, word: WordBox) -> None:
        self._starts.append(word.char_start)
        self._ends.append(word.char_end)
        self._boxes.extend((word.x0, word.top, word.x1, word.bottom))

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, index: int) -> WordBox:
        x0, top, x1, bottom = self._boxes[4 * index : 4 * index + 4]
        return WordBox(self._starts[index], self._ends[index], x0, top, x1, bottom)

    def __iter__(self) -> Iterator[WordBox]:
        return (self[index] for index in range(len(self)))

    def inside(self, start: int, end: int) -> list[WordBox]:
        """The words lying wholly inside [start, end), found by bisection (words are in order)."""
        low = bisect.bisect_left(self._starts, start)
        high = bisect.bisect_right(self._ends, end)
        return [self[index] for index in range(low, high)]


@dataclass(frozen=True)
class PageText:
    """One page: its span in the document text, its size (PDF only) and its words' boxes."""

    number: int
    char_start: int
    char_end: int
    width: float | None = None
    height: float | None = None
    words: PageWords = field(default_factory=PageWords)


@dataclass(frozen=True)
class ExtractedText:
    kind: FileKind
    text: str
    pages: list[PageText]


def detect_kind(filename: str, mime_type: str, data: bytes) -> FileKind:
    """What kind of file this is, by extension, then declared type; unsupported types fail."""
    suffix = PurePath(filename).suffix.lower() if filename else ""
    kind = SUPPORTED_EXTENSIONS.get(suffix) or SUPPORTED_MIME_TYPES.get(
        mime_type.split(";")[0].strip().lower()
    )
    if kind is None:
        shown = suffix or mime_type or "unknown"
        raise IngestionError(f"Unsupported file type ({shown}): upload a .txt, .md or .pdf file.")
    return kind


def extract(data: bytes, kind: FileKind) -> ExtractedText:
    """The text and pages of a file; raises IngestionError for empty, corrupt or textless files."""
    if not data or data.isspace():  # (data.strip() would copy a 20 MB file to look at it)
        raise IngestionError("The file is empty.")
    if kind == "pdf":
        return _extract_pdf(data)
    return _extract_text(data, kind)


def _extract_text(data: bytes, kind: FileKind) -> ExtractedText:
    if b"\x00" in data:
        raise IngestionError("The file is not a text file (it contains binary data).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestionError("The file is not valid UTF-8 text.") from exc
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text or text.isspace():
        raise IngestionError("The file is empty.")
    return ExtractedText(kind=kind, text=text, pages=[PageText(1, 0, len(text))])


def _extract_pdf(data: bytes) -> ExtractedText:
    if b"%PDF-" not in data[:1024]:
        raise IngestionError("The file is not a PDF (no PDF header); it may be corrupt.")
    import pdfplumber

    parts: list[str] = []
    pages: list[PageText] = []
    offset = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                if number > 1:
                    parts.append(PAGE_SEPARATOR)
                    offset += len(PAGE_SEPARATOR)
                frame = _visible_frame(page)
                page_text, words = _page_text(*_page_words(page), offset, frame)
                parts.append(page_text)
                pages.append(
                    PageText(
                        number=number,
                        char_start=offset,
                        char_end=offset + len(page_text),
                        width=round(frame.width, 2),
                        height=round(frame.height, 2),
                        words=words,
                    )
                )
                offset += len(page_text)
                # pdfplumber caches each page's layout (an object per character, ~12 MB for a
                # dense page) until the PDF is closed; only the words above are needed.
                page.close()
    except Exception as exc:
        raise IngestionError("The PDF could not be read (it is corrupt or encrypted).") from exc
    if not pages:
        raise IngestionError("The PDF has no pages.")
    text = "".join(parts)
    if not text.strip():
        raise IngestionError(
            "The PDF has no text layer (a scanned document?); run OCR on it and upload it again."
        )
    return ExtractedText(kind="pdf", text=text, pages=pages)


@dataclass(frozen=True)
class VisibleFrame:
    """The shown page inside pdfplumber's frame: its top-left corner and its size."""

    left: float
    top: float
    width: float
    height: float


def _visible_frame(page: Any) -> VisibleFrame:
    """Where the CropBox lies in pdfplumber's word coordinates, after the page's /Rotate.

    pdfplumber measures words from the top-left of the (rotated) MediaBox, so a cropped page's
    words would sit off by the crop's margins. Its own `cropbox` is not rotated correctly for
    /Rotate 90 or 270, so the crop is rotated here: in the unrotated MediaBox frame (u to the
    right, v down) the crop is [u0, v0, u1, v1]; a clockwise turn maps (u, v) to (H - v, u) at
    90, (W - u, H - v) at 180 and (v, W - u) at 270.
    """
    mx0, my0, mx1, my1 = (float(v) for v in page.page_obj.mediabox)
    cx0, cy0, cx1, cy1 = (float(v) for v in (page.page_obj.cropbox or page.page_obj.mediabox))
    width, height = mx1 - mx0, my1 - my0
    u0, u1 = max(cx0, mx0) - mx0, min(cx1, mx1) - mx0
    v0, v1 = my1 - min(cy1, my1), my1 - max(cy0, my0)
    rotation = int(page.rotation or 0) % 360
    if rotation == 90:
        left, top, right, bottom = height - v1, u0, height - v0, u1
    elif rotation == 180:
        left, top, right, bottom = width - u1, height - v1, width - u0, height - v0
    elif rotation == 270:
        left, top, right, bottom = v0, width - u1, v1, width - u0
    else:
        left, top, right, bottom = u0, v0, u1, v1
    x_origin, top_origin = float(page.bbox[0]), float(page.bbox[1])
    return VisibleFrame(x_origin + left, top_origin + top, right - left, bottom - top)


def _page_text(
    words: list[dict[str, object]], directions: dict[str, str], offset: int, frame: VisibleFrame
) -> tuple[str, PageWords]:
    """Lay a page's words out as text; returns the text and each word's span and box.

    Lines are found along each word's reading direction, so the words of a line that runs down
    a turned page are joined by spaces like any other line's, not put one per line.
    """
    out: list[str] = []
    boxes = PageWords()
    position = offset
    previous: _Reading | None = None
    for word in words:
        text = str(word["text"])
        if not text.strip():
            continue
        x0, x1 = _num(word["x0"]) - frame.left, _num(word["x1"]) - frame.left
        top, bottom = _num(word["top"]) - frame.top, _num(word["bottom"]) - frame.top
        upright = bool(word.get("upright", True))
        line_dir = directions["line_dir" if upright else "line_dir_rotated"]
        char_dir = str(word.get("direction") or directions["char_dir"])
        reading = _Reading.of((x0, top, x1, bottom), char_dir, line_dir)
        if previous is not None:
            separator = previous.separator_before(reading)
            out.append(separator)
            position += len(separator)
        out.append(text)
        boxes.append(WordBox(position, position + len(text), x0, top, x1, bottom))
        position += len(text)
        previous = reading
    return "".join(out), boxes


# How a page's text reads once the page is turned by its /Rotate, as pdfplumber's extract_words
# takes it: the line and character directions of upright characters, then of rotated ones. Text
# drawn the usual way on a page turned clockwise runs down, and its lines follow leftwards.
_DIRECTION_NAMES = ("line_dir", "char_dir", "line_dir_rotated", "char_dir_rotated")
_READING_BY_ROTATION: dict[int, tuple[str, str, str, str]] = {
    0: ("ttb", "ltr", "ltr", "ttb"),
    90: ("ttb", "ltr", "rtl", "ttb"),
    180: ("btt", "rtl", "ltr", "ttb"),
    270: ("ttb", "ltr", "ltr", "btt"),
}


def _page_words(page: Any) -> tuple[list[dict[str, object]], dict[str, str]]:
    """The page's words in reading order, and the directions they were read in."""
    rotation = int(page.rotation or 0) % 360
    directions = dict(
        zip(
            _DIRECTION_NAMES,
            _READING_BY_ROTATION.get(rotation, _READING_BY_ROTATION[0]),
            strict=True,
        )
    )
    return page.extract_words(**directions), directions


@dataclass(frozen=True)
class _Reading:
    """A word's box turned so that its line runs left to right and lines follow downwards:
    `along` is where the word starts on its line, `across` where its line starts and ends."""

    line_dir: str
    along: float
    across_start: float
    across_end: float

    @classmethod
    def of(cls, box: tuple[float, float, float, float], char_dir: str, line_dir: str) -> _Reading:
        x0, top, x1, bottom = box
        along = {"ltr": x0, "rtl": -x1, "ttb": top, "btt": -bottom}[char_dir]
        across = {"ttb": (top, bottom), "btt": (-bottom, -top), "ltr": (x0, x1), "rtl": (-x1, -x0)}
        return cls(line_dir, along, *across[line_dir])

    def separator_before(self, word: _Reading) -> str:
        """A space on the same line, a newline for the next line, a blank line for a paragraph."""
        thickness = max(self.across_end - self.across_start, 1.0)
        same_flow = word.line_dir == self.line_dir
        if (
            same_flow
            and word.across_start <= self.across_start + thickness * 0.5
            and word.along >= self.along - thickness
        ):
            return " "
        paragraph = same_flow and word.across_start - self.across_end > thickness * _PARAGRAPH_GAP
        return "\n\n" if paragraph else "\n"


def _num(value: object) -> float:
    if isinstance(value, int | float):
        return float(value)
    raise IngestionError("The PDF has a word without a position.")
