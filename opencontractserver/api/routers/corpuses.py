"""Corpora: list, create, detail, update, add/remove documents, share."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count
from django.http import HttpRequest
from ninja import Query, Router, Status

from opencontractserver.api.auth import AUTH_OPTIONAL, caller, signed_in_caller
from opencontractserver.api.paging import paginate
from opencontractserver.api.readable_rows import readable_rows
from opencontractserver.api.schemas import (
    ERRORS,
    CorpusDocumentsIn,
    CorpusFilters,
    CorpusIn,
    CorpusOut,
    CorpusPatch,
    Page,
    ShareIn,
    ShareOut,
)
from opencontractserver.corpuses import services
from opencontractserver.corpuses.models import Corpus, CorpusShare
from opencontractserver.shared.models import SharePermission
from opencontractserver.shared.refusals import readable
from opencontractserver.users.models import User

router = Router(tags=["corpuses"])


def _corpora_for(user: User | AnonymousUser) -> Any:
    """The corpora `user` may read, with what CorpusOut shows."""
    return readable_rows(Corpus, user, document_count=Count("documents", distinct=True))


def _corpus_out(user: User | AnonymousUser, corpus_id: int) -> Corpus:
    corpus: Corpus = readable(_corpora_for(user), "Corpus", corpus_id)
    return corpus


@router.get("/corpuses", auth=AUTH_OPTIONAL, response={200: Page[CorpusOut], **ERRORS})
def list_corpuses(request: HttpRequest, filters: Query[CorpusFilters]) -> dict[str, Any]:
    """Corpora the caller may read (anonymous callers see public ones), newest first."""
    corpora = _corpora_for(caller(request))
    if filters.search:
        corpora = corpora.filter(title__icontains=filters.search)
    return paginate(corpora.order_by("-created", "-id"), filters)


@router.post("/corpuses", response={201: CorpusOut, **ERRORS})
def create_corpus(request: HttpRequest, payload: CorpusIn) -> Status[Corpus]:
    user = signed_in_caller(request)
    corpus = services.create_corpus(
        creator=user,
        title=payload.title,
        description=payload.description,
        is_public=payload.is_public,
        llm_model=payload.llm_model,
    )
    return Status(201, _corpus_out(user, corpus.pk))


@router.get("/corpuses/{corpus_id}", auth=AUTH_OPTIONAL, response={200: CorpusOut, **ERRORS})
def get_corpus(request: HttpRequest, corpus_id: int) -> Corpus:
    return _corpus_out(caller(request), corpus_id)


@router.patch("/corpuses/{corpus_id}", response={200: CorpusOut, **ERRORS})
def update_corpus(request: HttpRequest, corpus_id: int, payload: CorpusPatch) -> Corpus:
    """Change title, description, visibility or model (fields left out stay as they are)."""
    user = signed_in_caller(request)
    services.update_corpus(
        user,
        corpus_id,
        title=payload.title,
        description=payload.description,
        is_public=payload.is_public,
        llm_model=payload.llm_model,
    )
    return _corpus_out(user, corpus_id)


@router.post("/corpuses/{corpus_id}/documents", response={200: CorpusOut, **ERRORS})
def add_documents(request: HttpRequest, corpus_id: int, payload: CorpusDocumentsIn) -> Corpus:
    """Add documents to a corpus; you must be able to change the corpus and each document."""
    user = signed_in_caller(request)
    services.add_documents(user, corpus_id, payload.document_ids)
    return _corpus_out(user, corpus_id)


@router.delete("/corpuses/{corpus_id}/documents/{document_id}", response={204: None, **ERRORS})
def remove_document(request: HttpRequest, corpus_id: int, document_id: int) -> Status[None]:
    """Take a document out of a corpus (the document itself is kept)."""
    services.remove_document(signed_in_caller(request), corpus_id, document_id)
    return Status(204, None)


@router.get("/corpuses/{corpus_id}/shares", response={200: list[ShareOut], **ERRORS})
def list_shares(request: HttpRequest, corpus_id: int) -> list[CorpusShare]:
    """Who the corpus is shared with (for those who may change it)."""
    return services.CORPUS_SHARING.shares(signed_in_caller(request), corpus_id)


@router.post("/corpuses/{corpus_id}/shares", response={200: ShareOut, **ERRORS})
def share_corpus(request: HttpRequest, corpus_id: int, payload: ShareIn) -> CorpusShare:
    """Share the corpus with a user, read-only or read-write (replaces an earlier share)."""
    return services.CORPUS_SHARING.share(
        signed_in_caller(request), corpus_id, payload.username, SharePermission(payload.permission)
    )


@router.delete("/corpuses/{corpus_id}/shares/{username}", response={204: None, **ERRORS})
def unshare_corpus(request: HttpRequest, corpus_id: int, username: str) -> Status[None]:
    services.CORPUS_SHARING.unshare(signed_in_caller(request), corpus_id, username)
    return Status(204, None)
