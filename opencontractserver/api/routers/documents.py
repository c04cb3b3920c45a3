"""Documents: upload, list, detail, text, original file, annotations, delete."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Status, UploadedFile

from opencontractserver.annotations.models import Annotation, Note
from opencontractserver.api.auth import AUTH_OPTIONAL, caller, signed_in_caller
from opencontractserver.api.paging import paginate
from opencontractserver.api.readable_rows import readable_rows
from opencontractserver.api.schemas import (
    ERRORS,
    AnnotationFilters,
    AnnotationOut,
    DocumentFilters,
    DocumentOut,
    DocumentTextOut,
    ErrorOut,
    NoteOut,
    Page,
    PageParams,
    ShareIn,
    ShareOut,
)
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents import services
from opencontractserver.documents.models import Document, DocumentShare
from opencontractserver.shared.models import SharePermission
from opencontractserver.shared.refusals import not_found, readable
from opencontractserver.users.models import User

router = Router(tags=["documents"])


def _documents_for(user: User | AnonymousUser) -> Any:
    """The documents `user` may read, with what DocumentOut shows."""
    return readable_rows(Document, user)


def _readable_document(user: User | AnonymousUser, document_id: int) -> Document:
    document: Document = readable(_documents_for(user), "Document", document_id)
    return document


@router.post("/documents", response={201: DocumentOut, 413: ErrorOut, **ERRORS})
def upload_document(
    request: HttpRequest,
    file: File[UploadedFile],
    title: Form[str] = "",
    description: Form[str] = "",
    corpus_id: Form[int | None] = None,
    is_public: Form[bool] = False,
) -> Status[Document]:
    """Upload a .txt, .md or .pdf file (multipart), optionally into a corpus you may change.

    The document starts with status `pending`; ingestion extracts its text and passages.
    """
    user = signed_in_caller(request)
    document = services.upload_document(
        creator=user,
        upload=file,
        title=title,
        description=description,
        corpus_id=corpus_id,
        is_public=is_public,
    )
    return Status(201, _readable_document(user, document.pk))


@router.get("/documents", auth=AUTH_OPTIONAL, response={200: Page[DocumentOut], **ERRORS})
def list_documents(request: HttpRequest, filters: Query[DocumentFilters]) -> dict[str, Any]:
    """Documents the caller may read (anonymous callers see public ones), newest first."""
    user = caller(request)
    documents = _documents_for(user)
    if filters.corpus_id is not None:
        corpus: Corpus = readable(Corpus.objects.visible_to(user), "Corpus", filters.corpus_id)
        documents = documents.filter(corpuses=corpus)
    if filters.search:
        documents = documents.filter(title__icontains=filters.search)
    return paginate(documents.order_by("-created", "-id"), filters)


@router.get("/documents/{document_id}", auth=AUTH_OPTIONAL, response={200: DocumentOut, **ERRORS})
def get_document(request: HttpRequest, document_id: int) -> Document:
    return _readable_document(caller(request), document_id)


@router.get(
    "/documents/{document_id}/text", auth=AUTH_OPTIONAL, response={200: DocumentTextOut, **ERRORS}
)
def get_document_text(request: HttpRequest, document_id: int) -> Document:
    """The text extracted by ingestion (empty while the document is pending)."""
    document: Document = readable(
        Document.objects.visible_to(caller(request)), "Document", document_id
    )
    return document


@router.get("/documents/{document_id}/file", auth=AUTH_OPTIONAL, response={200: None, **ERRORS})
def download_document_file(request: HttpRequest, document_id: int) -> FileResponse:
    """The original uploaded file."""
    document: Document = readable(
        Document.objects.visible_to(caller(request)), "Document", document_id
    )
    name = document.file.name if document.file else None
    if name is None or not document.file.storage.exists(name):
        raise not_found("File of document", document_id)
    return FileResponse(
        document.file.open("rb"), content_type=document.mime_type, filename=PurePath(name).name
    )


@router.get(
    "/documents/{document_id}/annotations",
    auth=AUTH_OPTIONAL,
    response={200: Page[AnnotationOut], **ERRORS},
    by_alias=True,  # the passage's boxes go out as `json`, as in chat Sources
)
def list_annotations(
    request: HttpRequest, document_id: int, filters: Query[AnnotationFilters]
) -> dict[str, Any]:
    """The passages of a document in reading order (filter by page with `on_page`)."""
    user = caller(request)
    readable(Document.objects.visible_to(user), "Document", document_id)
    annotations = Annotation.objects.visible_to(user).filter(document_id=document_id)
    if filters.on_page is not None:
        annotations = annotations.filter(page=filters.on_page)
    if filters.structural is not None:
        annotations = annotations.filter(structural=filters.structural)
    return paginate(annotations.order_by("page", "char_start", "id"), filters)


@router.get(
    "/documents/{document_id}/notes", auth=AUTH_OPTIONAL, response={200: Page[NoteOut], **ERRORS}
)
def list_notes(request: HttpRequest, document_id: int, paging: Query[PageParams]) -> dict[str, Any]:
    """The document's notes, newest first (including those an agent wrote with approval)."""
    user = caller(request)
    readable(Document.objects.visible_to(user), "Document", document_id)
    notes = Note.objects.visible_to(user).filter(document_id=document_id).select_related("creator")
    return paginate(notes.order_by("-created", "-id"), paging)


@router.delete("/documents/{document_id}", response={204: None, **ERRORS})
def delete_document(request: HttpRequest, document_id: int) -> Status[None]:
    """Delete a document with its passages and the conversations about it."""
    services.delete_document(signed_in_caller(request), document_id)
    return Status(204, None)


@router.get("/documents/{document_id}/shares", response={200: list[ShareOut], **ERRORS})
def list_document_shares(request: HttpRequest, document_id: int) -> list[DocumentShare]:
    """Who the document is shared with directly (for those who may change it)."""
    return services.DOCUMENT_SHARING.shares(signed_in_caller(request), document_id)


@router.post("/documents/{document_id}/shares", response={200: ShareOut, **ERRORS})
def share_document(request: HttpRequest, document_id: int, payload: ShareIn) -> DocumentShare:
    """Share the document with a user, read-only or read-write (replaces an earlier share)."""
    return services.DOCUMENT_SHARING.share(
        signed_in_caller(request),
        document_id,
        payload.username,
        SharePermission(payload.permission),
    )


@router.delete("/documents/{document_id}/shares/{username}", response={204: None, **ERRORS})
def unshare_document(request: HttpRequest, document_id: int, username: str) -> Status[None]:
    services.DOCUMENT_SHARING.unshare(signed_in_caller(request), document_id, username)
    return Status(204, None)
