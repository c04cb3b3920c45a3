"""Files made in the test for ingestion: PDFs with a text layer or without one (fpdf2), and the
type of the `make_document` fixture that stores an upload."""

from __future__ import annotations

from collections.abc import Callable

from fpdf import FPDF

from opencontractserver.documents.models import Document

MakeDocument = Callable[..., Document]


def make_pdf(pages: list[str]) -> bytes:
    """A PDF with a text layer: one page per entry, paragraphs separated by blank lines."""
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(auto=True, margin=50)
    pdf.set_font("Helvetica", size=11)
    for page_text in pages:
        pdf.add_page()
        pdf.set_xy(50, 60)
        pdf.multi_cell(495, 14, page_text)
    return bytes(pdf.output())


def make_scanned_pdf() -> bytes:
    """A PDF whose page holds only drawings (as a scan holds only an image): no text layer."""
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    for row in range(20):
        pdf.rect(50, 60 + row * 30, 400, 12, style="F")
    return bytes(pdf.output())
