"""Writes on corpora: create, update, add/remove documents; how corpora are shared.

Each write resolves and authorizes its corpus itself (`writable_corpus`, raising `Refused`), so the
HTTP API and the agent tools call the same functions the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from opencontractserver.documents.models import Document
from opencontractserver.shared.refusals import Refused, not_found, writable
from opencontractserver.shared.sharing import Sharing
from opencontractserver.users.models import User

from .models import Corpus, CorpusShare

if TYPE_CHECKING:
    from opencontractserver.permissions import AnyUser


def writable_corpus(user: AnyUser, corpus_id: int | None) -> Corpus:
    """The check of every corpus write: the corpus if `user` may change it, else `Refused`
    (`not_found` when they may not even see it, `permission_denied` when they may only read it)."""
    if corpus_id is None:
        raise not_found("Corpus", "(none)")
    return writable(
        Corpus.objects.visible_to(user), Corpus.objects.writable_by(user), "Corpus", corpus_id
    )


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
    user: AnyUser,
    corpus_id: int,
    *,
    title: str | None = None,
    description: str | None = None,
    is_public: bool | None = None,
    llm_model: str | None = None,
) -> Corpus:
    """Change the given fields (None leaves a field as it is; llm_model "" means OC_LLM_MODEL)."""
    with transaction.atomic():
        corpus = writable_corpus(user, corpus_id)
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


def add_documents(user: AnyUser, corpus_id: int, document_ids: list[int]) -> Corpus:
    """Put documents into a corpus (already present ones are left alone); the user must be able
    to change the corpus and every document."""
    with transaction.atomic():
        corpus = writable_corpus(user, corpus_id)
        wanted = list(dict.fromkeys(document_ids))
        documents = list(Document.objects.writable_by(user).filter(pk__in=wanted))
        found = {document.pk for document in documents}
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            visible = set(
                Document.objects.visible_to(user)
                .filter(pk__in=missing)
                .values_list("pk", flat=True)
            )
            for pk in missing:
                if pk not in visible:
                    raise not_found("Document", pk)
            raise Refused(
                "permission_denied",
                f"You may read document {missing[0]} but not change it, so you cannot add it.",
            )
        corpus.documents.add(*documents)
        corpus.save(update_fields=["modified"])
    return corpus


def remove_document(user: AnyUser, corpus_id: int, document_id: int) -> None:
    """Take a document out of a corpus; the document itself stays."""
    with transaction.atomic():
        corpus = writable_corpus(user, corpus_id)
        document = Document.objects.visible_to(user).filter(pk=document_id, corpuses=corpus).first()
        if document is None:
            raise not_found("Document", document_id)
        corpus.documents.remove(document)
        corpus.save(update_fields=["modified"])


# Shares of a corpus: CORPUS_SHARING.share / .unshare / .shares (shared/sharing.py).
CORPUS_SHARING = Sharing(Corpus, CorpusShare, "corpus", writable_corpus)
