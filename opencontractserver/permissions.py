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


def corpus_read_q(user: AnyUser | None) -> Q:
    CorpusShare = apps.get_model("corpuses.CorpusShare")

    public = Q(is_public=True)
    uid = _user_id(user)
    if uid is None:
        return public
    shared = Exists(CorpusShare.objects.filter(corpus=OuterRef("pk"), user_id=uid))
    return public | Q(creator_id=uid) | Q(shared)


def corpus_write_q(user: AnyUser | None) -> Q:
    CorpusShare = apps.get_model("corpuses.CorpusShare")

    uid = _user_id(user)
    if uid is None:
        return Q(pk__in=[])
    shared = Exists(
        CorpusShare.objects.filter(
            corpus=OuterRef("pk"), user_id=uid, permission=SharePermission.WRITE
        )
    )
    return Q(creator_id=uid) | Q(shared)


def document_read_q(user: AnyUser | None) -> Q:
    Corpus = apps.get_model("corpuses.Corpus")
    DocumentShare = apps.get_model("documents.DocumentShare")

    in_readable_corpus = Exists(
        Corpus.objects.filter(corpus_read_q(user), documents=OuterRef("pk"))
    )
    public = Q(is_public=True) | Q(in_readable_corpus)
    uid = _user_id(user)
    if uid is None:
        return public
    shared = Exists(DocumentShare.objects.filter(document=OuterRef("pk"), user_id=uid))
    return public | Q(creator_id=uid) | Q(shared)


def document_write_q(user: AnyUser | None) -> Q:
    Corpus = apps.get_model("corpuses.Corpus")
    DocumentShare = apps.get_model("documents.DocumentShare")

    uid = _user_id(user)
    if uid is None:
        return Q(pk__in=[])
    shared = Exists(
        DocumentShare.objects.filter(
            document=OuterRef("pk"), user_id=uid, permission=SharePermission.WRITE
        )
    )
    in_writable_corpus = Exists(
        Corpus.objects.filter(corpus_write_q(user), documents=OuterRef("pk"))
    )
    return Q(creator_id=uid) | Q(shared) | Q(in_writable_corpus)


def conversation_read_q(user: AnyUser | None) -> Q:
    ConversationShare = apps.get_model("conversations.ConversationShare")
    Corpus = apps.get_model("corpuses.Corpus")
    Document = apps.get_model("documents.Document")

    uid = _user_id(user)
    if uid is None:
        return Q(pk__in=[])
    shared = Exists(ConversationShare.objects.filter(conversation=OuterRef("pk"), user_id=uid))
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
    return (Q(creator_id=uid) | Q(shared)) & Q(deleted_at__isnull=True) & subject_readable


def conversation_write_q(user: AnyUser | None) -> Q:
    ConversationShare = apps.get_model("conversations.ConversationShare")

    uid = _user_id(user)
    if uid is None:
        return Q(pk__in=[])
    shared = Exists(
        ConversationShare.objects.filter(
            conversation=OuterRef("pk"), user_id=uid, permission=SharePermission.WRITE
        )
    )
    return conversation_read_q(user) & (Q(creator_id=uid) | Q(shared))
