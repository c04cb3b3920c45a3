"""The writes agents may make (each only after a person approved it), checked against the DB.

Every function re-checks `writable_by(user)` inside the transaction and raises `WriteRefused`
when the user may not make the change, so an approval never stands in for an authorization.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from opencontractserver.annotations.models import Annotation, Note
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User

if TYPE_CHECKING:
    from opencontractserver.permissions import AnyUser


class WriteRefused(Exception):
    """The change cannot be made; the message is safe to show to the model and the user."""


def can_write_document(user: AnyUser, document_id: int | None) -> bool:
    return (
        document_id is not None
        and Document.objects.writable_by(user).filter(pk=document_id).exists()
    )


def can_write_corpus(user: AnyUser, corpus_id: int | None) -> bool:
    return corpus_id is not None and Corpus.objects.writable_by(user).filter(pk=corpus_id).exists()


def _author(user: AnyUser) -> User:
    if not isinstance(user, User):
        raise WriteRefused("Only signed-in users can make changes.")
    return user


def _writable_document(user: AnyUser, document_id: int) -> Document:
    document = Document.objects.writable_by(user).select_for_update().filter(pk=document_id).first()
    if document is None:
        raise WriteRefused("You may not change this document.")
    return document


@transaction.atomic
def add_note(user: AnyUser, document_id: int, content: str, title: str = "") -> Note:
    document = _writable_document(user, document_id)
    if not content.strip():
        raise WriteRefused("A note needs some content.")
    return Note.objects.create(
        document=document, title=title.strip()[:255], content=content.strip(), creator=_author(user)
    )


@transaction.atomic
def add_annotation_for_text(
    user: AnyUser, document_id: int, exact_text: str, label: str, occurrence: int = 1
) -> Annotation:
    """Annotate the `occurrence`-th exact occurrence of `exact_text` in the document's text."""
    document = _writable_document(user, document_id)
    if not exact_text:
        raise WriteRefused("The text to annotate is empty.")
    start = -1
    for _ in range(max(occurrence, 1)):
        start = document.text.find(exact_text, start + 1)
        if start == -1:
            raise WriteRefused("That exact text does not occur in the document.")
    end = start + len(exact_text)
    containing = (
        Annotation.objects.filter(
            document=document, structural=True, char_start__lte=start, char_end__gt=start
        )
        .order_by("char_start")
        .first()
    )
    return Annotation.objects.create(
        document=document,
        page=containing.page if containing is not None else 1,
        char_start=start,
        char_end=end,
        raw_text=exact_text,
        json={"start": start, "end": end},
        label=label.strip()[:128],
        structural=False,
        creator=_author(user),
    )


@transaction.atomic
def update_document_summary(user: AnyUser, document_id: int, summary: str) -> Document:
    document = _writable_document(user, document_id)
    document.summary = summary.strip()
    document.save(update_fields=["summary", "modified"])
    return document


@transaction.atomic
def update_corpus_description(user: AnyUser, corpus_id: int, description: str) -> Corpus:
    corpus = Corpus.objects.writable_by(user).select_for_update().filter(pk=corpus_id).first()
    if corpus is None:
        raise WriteRefused("You may not change this corpus.")
    corpus.description = description.strip()
    corpus.save(update_fields=["description", "modified"])
    return corpus
