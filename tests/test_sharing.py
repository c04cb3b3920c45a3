"""The one sharing service behind corpus and document shares (shared/sharing.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import FieldDoesNotExist

from opencontractserver.corpuses.models import Corpus, CorpusShare
from opencontractserver.corpuses.services import CORPUS_SHARING, writable_corpus
from opencontractserver.documents.models import Document
from opencontractserver.documents.services import DOCUMENT_SHARING
from opencontractserver.shared.models import SharePermission
from opencontractserver.shared.sharing import CannotShareWithOwner, Sharing
from opencontractserver.users.models import User

pytestmark = pytest.mark.django_db

KINDS = ["corpus", "document"]


# Either kind: (its Sharing, a private object of that kind owned by `owner`).
Shared = tuple[Sharing[Any, Any], Corpus | Document]


@pytest.fixture(params=KINDS)
def shared(
    request: pytest.FixtureRequest, private_corpus: Corpus, private_document: Document
) -> Shared:
    if request.param == "corpus":
        return CORPUS_SHARING, private_corpus
    return DOCUMENT_SHARING, private_document


def test_a_grant_replaces_an_earlier_one_and_lists_by_username(
    shared: Shared,
    reader: User,
    writer: User,
) -> None:
    sharing, obj = shared
    sharing.grant(obj, writer, SharePermission.READ)
    sharing.grant(obj, reader, SharePermission.READ)
    upgraded = sharing.grant(obj, writer, SharePermission.WRITE)

    assert upgraded.permission == SharePermission.WRITE
    assert [(s.user.username, s.permission) for s in sharing.shares_of(obj)] == [
        ("reader", SharePermission.READ),
        ("writer", SharePermission.WRITE),
    ]


def test_the_owner_cannot_be_given_a_share(
    shared: Shared,
    owner: User,
) -> None:
    sharing, obj = shared
    with pytest.raises(CannotShareWithOwner, match=f"owner owns this {sharing.noun} already"):
        sharing.grant(obj, owner, SharePermission.WRITE)
    assert not sharing.shares_of(obj).exists()


def test_withdraw_removes_only_that_users_share(
    shared: Shared,
    reader: User,
    writer: User,
) -> None:
    sharing, obj = shared
    sharing.grant(obj, reader, SharePermission.READ)
    sharing.grant(obj, writer, SharePermission.WRITE)

    sharing.withdraw(obj, reader)
    sharing.withdraw(obj, reader)  # nothing left to withdraw: no error

    assert [s.user.username for s in sharing.shares_of(obj)] == ["writer"]


def test_a_share_model_without_that_key_fails_at_definition() -> None:
    with pytest.raises(FieldDoesNotExist):
        Sharing(Corpus, CorpusShare, "document", writable_corpus)
