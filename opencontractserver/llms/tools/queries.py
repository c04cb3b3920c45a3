"""Read-only database queries behind the tools; every one filters by what the user may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from opencontractserver.annotations.models import Annotation
from opencontractserver.annotations.sources import Source, source_from_annotation
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document

if TYPE_CHECKING:
    from opencontractserver.permissions import AnyUser

HEADING_LABELS = {"heading", "title", "section", "header", "section_header"}


def visible_document(user: AnyUser, document_id: int | None) -> Document | None:
    if document_id is None:
        return None
    return Document.objects.visible_to(user).filter(pk=document_id).first()


def visible_corpus(user: AnyUser, corpus_id: int | None) -> Corpus | None:
    if corpus_id is None:
        return None
    return Corpus.objects.visible_to(user).filter(pk=corpus_id).first()


def document_in_corpus(user: AnyUser, document_id: int, corpus_id: int | None) -> Document | None:
    """A document the user may read that belongs to the corpus the user may read."""
    if visible_corpus(user, corpus_id) is None:
        return None
    return Document.objects.visible_to(user).filter(pk=document_id, corpuses=corpus_id).first()


def document_titles(user: AnyUser, document_ids: set[int]) -> dict[int, str]:
    rows = Document.objects.visible_to(user).filter(pk__in=document_ids).values_list("pk", "title")
    return dict(rows)


def passages_by_ids(
    user: AnyUser, document_id: int, annotation_ids: list[int], corpus_id: int | None
) -> list[Source]:
    found = Annotation.objects.visible_to(user).filter(
        document_id=document_id, pk__in=annotation_ids
    )
    return [source_from_annotation(a, corpus_id, 1.0) for a in found]


def passages_on_pages(
    user: AnyUser,
    document_id: int,
    first_page: int,
    last_page: int,
    corpus_id: int | None,
    limit: int,
) -> list[Source]:
    found = Annotation.objects.visible_to(user).filter(
        document_id=document_id, structural=True, page__gte=first_page, page__lte=last_page
    )[:limit]
    return [source_from_annotation(a, corpus_id, 1.0) for a in found]


def outline(user: AnyUser, document_id: int) -> list[tuple[int, int, str]]:
    """(page, annotation id, text) of headings, or of each page's first passage if none."""
    passages = Annotation.objects.visible_to(user).filter(document_id=document_id, structural=True)
    is_heading = Q()
    for label in HEADING_LABELS:
        is_heading |= Q(label__iexact=label)
    headings = passages.filter(is_heading).order_by("page", "char_start")[:60]
    if not headings:
        headings = passages.order_by("page", "char_start").distinct("page")[:60]
    return [(a.page, a.pk, a.raw_text[:120]) for a in headings]


def user_annotations(user: AnyUser, document_id: int, limit: int) -> list[Annotation]:
    return list(
        Annotation.objects.visible_to(user).filter(document_id=document_id, structural=False)[
            :limit
        ]
    )


def corpus_documents(
    user: AnyUser, corpus_id: int, title_contains: str, limit: int
) -> list[Document]:
    if visible_corpus(user, corpus_id) is None:
        return []
    documents = Document.objects.visible_to(user).filter(corpuses=corpus_id)
    if title_contains:
        documents = documents.filter(title__icontains=title_contains)
    return list(documents.order_by("title", "id")[:limit])
