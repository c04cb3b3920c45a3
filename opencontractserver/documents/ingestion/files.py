"""Ingesting files from disk (`manage.py ingest`): one document per file, updated in place.

A file is matched to the owner's document with the same title (its file name), inside the corpus
when one is given. Same content as the ready document: nothing happens. Changed content: the
document's file is replaced and its passages with it. New file: a new document. `force` treats
every file as changed.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from django.core.files.base import ContentFile

from opencontractserver.corpuses.models import Corpus
from opencontractserver.llms.embeddings import get_embedder
from opencontractserver.users.models import User

from ..models import Document, IngestionStatus
from .extraction import SUPPORTED_EXTENSIONS
from .pipeline import content_hash, ingest

Outcome = Literal["created", "replaced", "unchanged", "failed"]


@dataclass(frozen=True)
class FileResult:
    path: Path
    outcome: Outcome
    document: Document


def files_under(paths: Iterable[Path]) -> Iterator[Path]:
    """The files named, and the supported files inside the folders named, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS
            )
        else:
            yield path


def ingest_file(
    path: Path, *, owner: User, corpus: Corpus | None = None, force: bool = False
) -> FileResult:
    """Create or update the owner's document for `path` and ingest it (synchronously).

    `force` re-ingests unchanged files too (to re-cut passages after the chunking changed).
    """
    data = path.read_bytes()
    candidates = Document.objects.filter(creator=owner, title=path.name)
    if corpus is not None:
        candidates = candidates.filter(corpuses=corpus)
    document = candidates.order_by("pk").first()
    if (
        not force
        and document is not None
        and document.status == IngestionStatus.READY
        and document.content_hash == content_hash(data)
    ):
        return FileResult(path, "unchanged", document)
    outcome: Outcome = "replaced" if document is not None else "created"
    if document is None:
        document = Document.objects.create(
            title=path.name, creator=owner, mime_type=_mime_type(path)
        )
    elif document.file:
        document.file.delete(save=False)
    document.file.save(path.name, ContentFile(data), save=True)
    if corpus is not None:
        corpus.documents.add(document)
    document = ingest(document, get_embedder(), force=force)
    if document.status == IngestionStatus.FAILED:
        outcome = "failed"
    return FileResult(path, outcome, document)


def _mime_type(path: Path) -> str:
    if path.suffix.lower() in {".md", ".markdown"}:
        return "text/markdown"
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"
