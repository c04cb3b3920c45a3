"""Lists cost the same number of queries for one item as for many (no N+1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencontractserver.conversations.models import ChatMessage, Conversation, MessageType
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.services import store_document
from opencontractserver.users.models import User
from tests.support.api_client import ApiClient

pytestmark = pytest.mark.django_db


def _queries(client: ApiClient, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _add_corpus(owner: User, index: int) -> None:
    corpus = Corpus.objects.create(title=f"C{index}", creator=owner)
    corpus.documents.add(
        store_document(creator=owner, upload=ContentFile(b"x", name=f"d{index}.txt"))
    )


def _add_conversation(owner: User, index: int) -> None:
    document = store_document(creator=owner, upload=ContentFile(b"x", name=f"c{index}.txt"))
    conversation = Conversation.objects.create(creator=owner, chat_with_document=document)
    ChatMessage.objects.create(conversation=conversation, msg_type=MessageType.HUMAN, content="q")


@pytest.mark.parametrize(
    ("path", "add"),
    [
        ("/api/corpuses", _add_corpus),
        ("/api/documents", _add_corpus),
        ("/api/conversations", _add_conversation),
    ],
)
def test_list_query_count_does_not_grow_with_items(
    owner: User, path: str, add: Callable[[User, int], None]
) -> None:
    client = ApiClient(owner)
    add(owner, 0)
    one = _queries(client, path)
    for index in range(1, 6):
        add(owner, index)
    assert _queries(client, path) == one
