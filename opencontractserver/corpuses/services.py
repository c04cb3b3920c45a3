"""Writes on corpora: create, update, add/remove documents, share.

Callers authorize first (the API checks `writable_by` on the corpus and on every added document).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from opencontractserver.documents.models import Document
from opencontractserver.shared.models import SharePermission
from opencontractserver.users.models import User

from .models import Corpus, CorpusShare


class CannotShareWithOwner(Exception):
    """The owner of a corpus already has every right on it."""


def create_corpus(
    *,
    creator: User,
    title: str,
    description: str = "",
    is_public: bool = False,
    llm_model: str = "",
) -> Corpus:
    """`llm_model` must be checked already (`model_name_problem`); "" means OC_LLM_MODEL."""
    return Corpus.objects.create(
        creator=creator,
        title=title.strip(),
        description=description,
        is_public=is_public,
        llm_model=llm_model.strip(),
    )


def update_corpus(
    corpus: Corpus,
    *,
    title: str | None = None,
    description: str | None = None,
    is_public: bool | None = None,
    llm_model: str | None = None,
) -> Corpus:
    """Change the given fields (None leaves a field as it is; llm_model "" means OC_LLM_MODEL)."""
    changed = []
    if title is not None:
        corpus.title = title.strip()
        changed.append("title")
    if description is not None:
        corpus.description = description
        changed.append("description")
    if is_public is not None:
        corpus.is_public = is_public
        changed.append("is_public")
    if llm_model is not None:
        corpus.llm_model = llm_model.strip()
        changed.append("llm_model")
    if changed:
        corpus.save(update_fields=[*changed, "modified"])
    return corpus


def add_documents(corpus: Corpus, documents: Iterable[Document]) -> None:
    """Put documents into a corpus (already present ones are left alone)."""
    with transaction.atomic():
        corpus.documents.add(*documents)
        corpus.save(update_fields=["modified"])


def remove_document(corpus: Corpus, document: Document) -> None:
    """Take a document out of a corpus; the document itself stays."""
    with transaction.atomic():
        corpus.documents.remove(document)
        corpus.save(update_fields=["modified"])


def share_corpus(corpus: Corpus, user: User, permission: SharePermission) -> CorpusShare:
    """Grant `user` read or write access (replacing an earlier grant)."""
    if user.pk == corpus.creator_id:
        raise CannotShareWithOwner(f"{user.username} owns this corpus already.")
    share, _ = CorpusShare.objects.update_or_create(
        corpus=corpus, user=user, defaults={"permission": permission}
    )
    return share


def unshare_corpus(corpus: Corpus, user: User) -> None:
    """Withdraw `user`'s grant, if any."""
    CorpusShare.objects.filter(corpus=corpus, user=user).delete()
