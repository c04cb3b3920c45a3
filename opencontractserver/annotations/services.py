"""Writes on a document's annotations and notes (made by people, or by an agent after a person
approved the call).

Each write resolves and authorizes its document itself inside the transaction
(`documents.services.writable_document`, raising `Refused`), so an approval never stands in for an
authorization.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from opencontractserver.documents.models import Document
from opencontractserver.documents.services import writable_document
from opencontractserver.shared.refusals import Refused, author

from .models import Annotation, Note

if TYPE_CHECKING:
    from opencontractserver.permissions import AnyUser


def _locked_writable_document(user: AnyUser, document_id: int) -> Document:
    writable_document(user, document_id)
    return Document.objects.select_for_update().get(pk=document_id)


@transaction.atomic
def add_note(user: AnyUser, document_id: int, content: str, title: str = "") -> Note:
    document = _locked_writable_document(user, document_id)
    if not content.strip():
        raise Refused("invalid", "A note needs some content.")
    return Note.objects.create(
        document=document, title=title.strip()[:255], content=content.strip(), creator=author(user)
    )


@transaction.atomic
def add_annotation_for_text(
    user: AnyUser, document_id: int, exact_text: str, label: str, occurrence: int = 1
) -> Annotation:
    """Annotate the `occurrence`-th exact occurrence of `exact_text` in the document's text."""
    document = _locked_writable_document(user, document_id)
    if not exact_text:
        raise Refused("invalid", "The text to annotate is empty.")
    start = -1
    for _ in range(max(occurrence, 1)):
        start = document.text.find(exact_text, start + 1)
        if start == -1:
            raise Refused("invalid", "That exact text does not occur in the document.")
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
        creator=author(user),
    )
