"""Writes on corpora: create, update, add/remove documents; how corpora are shared.

Callers authorize first (the API checks `writable_by` on the corpus and on every added document).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from opencontractserver.documents.models import Document
from opencontractserver.shared.sharing import Sharing
from opencontractserver.users.models import User

from .models import Corpus, CorpusShare


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


# Shares of a corpus: CORPUS_SHARING.grant / .withdraw / .shares_of (shared/sharing.py).
CORPUS_SHARING = Sharing(Corpus, CorpusShare, "corpus")
