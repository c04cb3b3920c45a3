"""A PDF whose pages a viewer gets wrong when it ignores the CropBox or /Rotate.

Page 1 is plain, page 2 has a CropBox inside its MediaBox, page 3 is turned by /Rotate 90, page 4
is cropped and turned. Each page holds one sentence written at (100, 200) points from the
MediaBox's top-left corner, so where its words must appear on the shown page is known exactly.
The unit tests of ingestion use it, and the browser tests upload it
(`python -m tests.support.odd_pages_pdf OUT.pdf`).
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject

MEDIA_WIDTH, MEDIA_HEIGHT = 612.0, 792.0
TEXT_LEFT, TEXT_TOP = 100.0, 200.0
CROP = (50.0, 100.0, 550.0, 700.0)  # PDF user space (y up): left, bottom, right, top


@dataclass(frozen=True)
class OddPage:
    sentence: str
    cropped: bool
    rotation: int


ODD_PAGES = (
    OddPage("Plain page sentence about the rent schedule.", cropped=False, rotation=0),
    OddPage("Cropped page sentence about the security deposit.", cropped=True, rotation=0),
    OddPage("Rotated page sentence about the renewal option.", cropped=False, rotation=90),
    OddPage("Cropped rotated page sentence about late fees.", cropped=True, rotation=90),
)


def odd_pages_pdf() -> bytes:
    pdf = FPDF(unit="pt", format=(MEDIA_WIDTH, MEDIA_HEIGHT))
    pdf.set_font("Helvetica", "", 14)
    for odd in ODD_PAGES:
        pdf.add_page()
        pdf.set_xy(TEXT_LEFT, TEXT_TOP)
        pdf.cell(text=odd.sentence)
    reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    writer = PdfWriter()
    for spec, page in zip(ODD_PAGES, reader.pages, strict=True):
        if spec.cropped:
            page.cropbox = RectangleObject(CROP)
        if spec.rotation:
            page.rotate(spec.rotation)
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


TURNED_LINES = ("The tenant shall keep the premises", "in good repair at all times.")
TURNED_PARAGRAPH = "Notices go to the landlord."


def turned_lines_pdf(rotation: int) -> bytes:
    """One page turned by `rotation`, holding two lines of a paragraph and a second paragraph."""
    pdf = FPDF(unit="pt", format=(MEDIA_WIDTH, MEDIA_HEIGHT))
    pdf.set_font("Helvetica", "", 14)
    pdf.add_page()
    for line_top, line in ((TEXT_TOP, TURNED_LINES[0]), (TEXT_TOP + 16, TURNED_LINES[1])):
        pdf.set_xy(TEXT_LEFT, line_top)
        pdf.cell(text=line)
    pdf.set_xy(TEXT_LEFT, TEXT_TOP + 60)
    pdf.cell(text=TURNED_PARAGRAPH)
    reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    writer = PdfWriter()
    page = reader.pages[0]
    if rotation:
        page.rotate(rotation)
    writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


if __name__ == "__main__":
    Path(sys.argv[1]).write_bytes(odd_pages_pdf())
