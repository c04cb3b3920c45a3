"""Fixtures for ingestion and search: files made in the test (PDFs with fpdf2), stored media."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from fpdf import FPDF

from opencontractserver.documents.models import Document
from opencontractserver.users.models import User

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


@pytest.fixture(autouse=True)
def media_root(tmp_path: Path) -> Iterator[Path]:
    """Uploads of these tests go to a temporary folder."""
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


@pytest.fixture
def make_document(owner: User) -> MakeDocument:
    """A stored upload owned by `owner` (not yet ingested)."""

    def make(
        data: bytes,
        name: str,
        mime_type: str = "text/plain",
        creator: User | None = None,
        is_public: bool = False,
    ) -> Document:
        document = Document.objects.create(
            title=name, creator=creator or owner, mime_type=mime_type, is_public=is_public
        )
        document.file.save(name, ContentFile(data), save=True)
        return document

    return make
