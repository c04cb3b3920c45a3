"""Who may see and change what: the one place that answers it.

Rules
- Corpus: readable if public, owned, or shared (read or write) with the user; writable if owned or
  shared with write.
- Document: readable if public, owned, shared with the user, or in a corpus the user may read;
  writable if owned, shared with write, or in a corpus the user may write.
- Annotation / Note: follow their document.
- Conversation: private to its creator unless shared; never visible once soft-deleted, nor when
  its document or corpus is no longer readable. Anonymous users have no conversations.
- ChatMessage: follows its conversation.

The models' querysets call these rules, so the models are looked up in Django's app registry
(`apps.get_model`, a lazy model reference) rather than imported here.

Every queryset used by the API, the WebSockets and the agent tools goes through `visible_to(user)`
(or `writable_by(user)`); something a user may not see behaves exactly like something missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from opencontractserver.shared.models import SharePermission

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from opencontractserver.users.models import User

    AnyUser = User | AnonymousUser
else:
    AnyUser = Any


def _user_id(user: AnyUser | None) -> int | None:
    """The id of an authenticated user, or None for anonymous / missing users."""
    if user is None or not user.is_authenticated:
        return None
    return int(user.pk)


def _owned_or_shared(share_model: str, shared_field: str, uid: int, *, write: bool = False) -> Q:
    """Owned by the user, or shared with them (`write`: with write permission)."""
    Share = apps.get_model(share_model)
    shares = Share.objects.filter(**{shared_field: OuterRef("pk")}, user_id=uid)
    if write:
        shares = shares.filter(permission=SharePermission.WRITE)
    return Q(creator_id=uid) | Q(Exists(shares))


def corpus_read_q(user: AnyUser | None) -> Q:
    public = Q(is_public=True)
    uid = _user_id(user)
    if uid is None:
        return public
    return public | _owned_or_shared("corpuses.CorpusShare", "corpus", uid)


def corpus_write_q(user: AnyUser | None) -> Q:
    uid = _user_id(user)
    if uid is None:
        return Q(pk__in=[])
    return _owned_or_shared("corpuses.CorpusShare", "corpus", uid, write=True)


def document_read_q(user: AnyUser | None) -> Q:
    Corpus = apps.get_model("corpuses.Corpus")

    in_readable_corpus = Exists(
        Corpus.objects.filter(corpus_read_q(user), documents=OuterRef("pk"))
    )
    public = Q(is_public=True) | Q(in_readable_corpus)
    uid = _user_id(user)
    if uid is None:
        return public
    return public | _owned_or_shared("documents.DocumentShare", "document", uid)


def document_write_q(user: AnyUser | None) -> Q:
    Corpus = apps.get_model("corpuses.Corpus")

    uid = _user_id(user)
    if uid is None:
        return Q(pk__in=[])
    in_writable_corpus = Exists(
        Corpus.objects.filter(corpus_write_q(user), documents=OuterRef("pk"))
    )
    return _owned_or_shared("documents.DocumentShare", "document", uid, write=True) | Q(
        in_writable_corpus
    )


def conversation_read_q(user: AnyUser | None) -> Q:
    Corpus = apps.get_model("corpuses.Corpus")
    Document = apps.get_model("documents.Document")

    uid = _user_id(user)
    if uid is None:
        return Q(pk__in=[])
    subject_readable = (
        Q(chat_with_document__isnull=True)
        | Q(
            Exists(
                Document.objects.filter(document_read_q(user), pk=OuterRef("chat_with_document"))
            )
        )
    ) & (
        Q(chat_with_corpus__isnull=True)
        | Q(Exists(Corpus.objects.filter(corpus_read_q(user), pk=OuterRef("chat_with_corpus"))))
    )
    owned_or_shared = _owned_or_shared("conversations.ConversationShare", "conversation", uid)
    return owned_or_shared & Q(deleted_at__isnull=True) & subject_readable


def conversation_write_q(user: AnyUser | None) -> Q:
    uid = _user_id(user)
    if uid is None:
        return Q(pk__in=[])
    return conversation_read_q(user) & _owned_or_shared(
        "conversations.ConversationShare", "conversation", uid, write=True
    )
