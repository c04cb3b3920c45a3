"""Writes on documents: upload (validate, store, hand to ingestion), delete, the stored summary;
how documents are shared.

Each write resolves and authorizes its objects itself (`writable_document`, raising `Refused`),
so the HTTP API and the agent tools call the same functions; uploads also check the file.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
from collections.abc import Iterable
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.core.files.base import File
from django.db import transaction

from opencontractserver.corpuses.models import Corpus
from opencontractserver.corpuses.services import writable_corpus
from opencontractserver.shared.refusals import writable
from opencontractserver.shared.sharing import Sharing
from opencontractserver.users.models import User

from .ingestion import submit_ingestion
from .models import Document, DocumentShare, IngestionStatus

if TYPE_CHECKING:
    from opencontractserver.permissions import AnyUser

logger = logging.getLogger(__name__)

UploadProblem = Literal[
    "file_too_large", "empty_file", "unsupported_file_type", "invalid_file_content"
]

_CHECK_CHUNK_BYTES = 1024 * 1024
# Extension -> the MIME type we store (ingestion reads PDFs as PDF and everything else as text).
ALLOWED_TYPES: dict[str, str] = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".pdf": "application/pdf",
}


class UploadRejected(Exception):
    """A file we do not accept; `code` is stable, the message tells the user what to do."""

    def __init__(self, code: UploadProblem, message: str) -> None:
        super().__init__(message)
        self.code = code


def writable_document(user: AnyUser, document_id: int) -> Document:
    """The check of every document write: the document if `user` may change it, else `Refused`
    (`not_found` when they may not even see it, `permission_denied` when they may only read it)."""
    return writable(
        Document.objects.visible_to(user),
        Document.objects.writable_by(user),
        "Document",
        document_id,
    )


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


def check_size(size: int) -> None:
    limit = settings.OC_MAX_UPLOAD_BYTES
    if size > limit:
        raise UploadRejected(
            "file_too_large",
            f"The file is {human_size(size)}; the limit is {human_size(limit)}.",
        )


def check_upload_request_size(content_length: int) -> None:
    """Refuse an upload request whose declared body cannot hold a file within the limit (checked
    before the body is read; the file's own size is checked again once it is in)."""
    limit = settings.OC_MAX_UPLOAD_BYTES
    if content_length > limit + settings.OC_UPLOAD_ENVELOPE_BYTES:
        raise UploadRejected(
            "file_too_large",
            f"The upload is {human_size(content_length)}; the limit is {human_size(limit)} "
            "per file.",
        )


def check_upload(filename: str, chunks: Iterable[bytes]) -> tuple[str, str]:
    """The MIME type to store and the SHA-256 of an acceptable file, read chunk by chunk (a
    20 MB upload is never held whole, nor decoded whole); raises UploadRejected otherwise."""
    suffix = PurePath(filename).suffix.lower()
    mime_type = ALLOWED_TYPES.get(suffix)
    if mime_type is None:
        allowed = ", ".join(sorted(ext.lstrip(".") for ext in ALLOWED_TYPES))
        raise UploadRejected(
            "unsupported_file_type",
            f"'{filename}' is not a supported file type; upload one of: {allowed}.",
        )
    digest = hashlib.sha256()
    size = 0
    head = b""
    decoder = codecs.getincrementaldecoder("utf-8")()
    blank = True
    try:
        for chunk in chunks:
            size += len(chunk)
            check_size(size)
            digest.update(chunk)
            head += chunk[: max(0, 1024 - len(head))]
            if mime_type != "application/pdf":
                text = decoder.decode(chunk)
                blank = blank and (not text or text.isspace())
        if mime_type != "application/pdf":
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise UploadRejected(
            "invalid_file_content", f"'{filename}' is not UTF-8 text; save it as UTF-8 and retry."
        ) from exc
    if not size:
        raise UploadRejected("empty_file", f"'{filename}' is empty.")
    if mime_type == "application/pdf":
        if not head.lstrip().startswith(b"%PDF-"):
            raise UploadRejected(
                "invalid_file_content", f"'{filename}' has a .pdf name but is not a PDF file."
            )
    elif blank:
        raise UploadRejected("empty_file", f"'{filename}' contains only whitespace.")
    return mime_type, digest.hexdigest()


def _read_checked(upload: File[Any], filename: str) -> tuple[str, str]:
    check_size(upload.size or 0)  # before reading a file we would refuse anyway
    upload.seek(0)
    return check_upload(filename, upload.chunks(_CHECK_CHUNK_BYTES))


def store_document(
    *,
    creator: User,
    upload: File[Any],
    title: str = "",
    description: str = "",
    corpus: Corpus | None = None,
    is_public: bool = False,
) -> Document:
    """Validate and store a file as a pending Document (optionally in `corpus`); no ingestion."""
    filename = PurePath(upload.name or "upload").name
    mime_type, digest = _read_checked(upload, filename)
    with transaction.atomic():
        document = Document(
            title=(title.strip() or PurePath(filename).stem)[:255],
            description=description,
            mime_type=mime_type,
            content_hash=digest,
            status=IngestionStatus.PENDING,
            creator=creator,
            is_public=is_public,
        )
        upload.seek(0)
        document.file.save(filename, upload, save=False)
        document.save()
        if corpus is not None:
            corpus.documents.add(document)
    return document


def upload_document(
    *,
    creator: User,
    upload: File[Any],
    title: str = "",
    description: str = "",
    corpus_id: int | None = None,
    is_public: bool = False,
) -> Document:
    """Store an uploaded file (into `corpus_id` if the creator may change that corpus) and queue
    its ingestion once the transaction commits."""
    from_corpus = None if corpus_id is None else writable_corpus(creator, corpus_id)
    with transaction.atomic():
        document = store_document(
            creator=creator,
            upload=upload,
            title=title,
            description=description,
            corpus=from_corpus,
            is_public=is_public,
        )
        submit_ingestion(document.pk)
    return document


def delete_document(user: AnyUser, document_id: int) -> None:
    """Delete a document, its passages and conversations, and (after commit) its stored file."""
    with transaction.atomic():
        document = writable_document(user, document_id)
        file_name = document.file.name
        storage = document.file.storage
        document.delete()
        if file_name:
            transaction.on_commit(lambda: storage.delete(file_name))


def update_document_summary(user: AnyUser, document_id: int, summary: str) -> Document:
    """Replace the document's stored summary."""
    with transaction.atomic():
        document = writable_document(user, document_id)
        document.summary = summary.strip()
        document.save(update_fields=["summary", "modified"])
    return document


# Shares of a document: DOCUMENT_SHARING.share / .unshare / .shares (shared/sharing.py).
DOCUMENT_SHARING = Sharing(Document, DocumentShare, "document", writable_document)
