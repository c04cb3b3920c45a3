"""Issue 13 (minor): read access is checked again at each turn start. After a share is revoked,
an already-open socket cannot start turns: the socket closes 4004, as for a missing object, and
nothing is stored."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from opencontractserver.conversations.models import ChatMessage
from opencontractserver.documents.models import Document, DocumentShare
from opencontractserver.users.models import User
from tests.support.turn_tasks import turns_settled
from tests.support.websocket_client import connected, document_path, receive_turn

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_revoked_share_stops_an_open_socket_from_starting_turns(
    reader: User, shared_document: Document
) -> None:
    comm, _ = await connected(document_path(shared_document.pk, reader))
    await comm.send_json_to({"query": "first question"})
    assert (await receive_turn(comm))[-1]["type"] == "ASYNC_FINISH"
    await turns_settled()
    await database_sync_to_async(DocumentShare.objects.filter(user=reader).delete)()

    await comm.send_json_to({"query": "second question"})
    output = await comm.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4004}
    assert await database_sync_to_async(ChatMessage.objects.count)() == 2


async def test_a_document_made_private_stops_an_anonymous_socket_from_starting_turns(
    private_document: Document,
) -> None:
    await database_sync_to_async(Document.objects.filter(pk=private_document.pk).update)(
        is_public=True
    )
    with override_settings(OC_ALLOW_ANONYMOUS_CHAT=True):
        comm, _ = await connected(f"/ws/document/{private_document.pk}/query/")
        await comm.send_json_to({"query": "first question"})
        assert (await receive_turn(comm))[-1]["type"] == "ASYNC_FINISH"
        await database_sync_to_async(Document.objects.filter(pk=private_document.pk).update)(
            is_public=False
        )
        await comm.send_json_to({"query": "second question"})
        output = await comm.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4000}
    await turns_settled()
