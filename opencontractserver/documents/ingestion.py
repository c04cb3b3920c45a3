"""Turning a stored document into text and passages.

First version: extracts text (txt/md decoded as UTF-8, PDFs with pdfplumber) and marks the document
ready or failed. The Retrieval issue replaces this with page-aware chunking, word boxes, embeddings
and an off-request worker pool, keeping `submit_ingestion`'s signature.
"""

from __future__ import annotations

import hashlib
import io
import logging

from django.db import transaction

from .models import Document, IngestionStatus

logger = logging.getLogger(__name__)


class IngestionError(Exception):
    """A file that cannot become passages; the message is shown to the user."""


def extract_text(data: bytes, mime_type: str) -> tuple[str, int]:
    """The text of a file and its page count."""
    if mime_type == "application/pdf":
        import pdfplumber

        try:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                pages = [page.extract_text() or "" for page in pdf.pages]
        except Exception as exc:
            raise IngestionError("The PDF could not be read (corrupt or encrypted).") from exc
        text = "\n\n".join(pages)
        if not text.strip():
            raise IngestionError("The PDF has no text layer (scanned images are not supported).")
        return text, len(pages)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestionError("The file is not valid UTF-8 text.") from exc
    if not text.strip():
        raise IngestionError("The file is empty.")
    return text, 1


def ingest_document(document_id: int) -> Document:
    """Extract the document's text and settle its status (ready, or failed with a reason)."""
    document = Document.objects.get(pk=document_id)
    with document.file.open("rb") as handle:
        data = handle.read()
    try:
        text, pages = extract_text(data, document.mime_type)
    except IngestionError as exc:
        document.status = IngestionStatus.FAILED
        document.status_reason = str(exc)
        document.save(update_fields=["status", "status_reason", "modified"])
        return document
    with transaction.atomic():
        document.text = text
        document.page_count = pages
        document.content_hash = hashlib.sha256(data).hexdigest()
        document.status = IngestionStatus.READY
        document.status_reason = ""
        document.save()
    return document


def submit_ingestion(document_id: int) -> None:
    """Ingest a document after the current transaction commits."""
    transaction.on_commit(lambda: ingest_document(document_id))
