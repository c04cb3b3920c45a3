"""Connecting: the three ways to authenticate, Origin checks, and every close code (PROTOCOL §2)."""

from __future__ import annotations

import base64
import time

import jwt
import pytest
from django.conf import settings
from django.test import override_settings

from opencontractserver.conversations.models import Conversation
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.support.websocket_client import (
    close_code,
    communicator,
    connected,
    document_path,
    receive,
    receive_turn,
    session_cookie,
    token_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


def global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


async def test_token_in_query_string_authenticates_and_sync_state_follows_accept(
    owner: User, private_document: Document
) -> None:
    comm, state = await connected(document_path(private_document.pk, owner))
    assert state == {
        "type": "SYNC_STATE",
        "content": "",
        "data": {
            "conversation_id": None,
            "user": {"id": owner.pk, "username": "owner"},
            "active_message_id": None,
            "last_seq": None,
            "pending_approval": None,
            "model": "scripted:test",
        },
    }
    await comm.disconnect()


async def test_subprotocol_token_authenticates_and_is_echoed(
    owner: User, private_document: Document
) -> None:
    comm = communicator(
        f"/ws/document/{private_document.pk}/query/",
        subprotocols=["opencontracts.jwt.v1", token_for(owner)],
    )
    ok, subprotocol = await comm.connect()
    assert ok and subprotocol == "opencontracts.jwt.v1"
    state = await receive(comm)
    assert state["data"]["user"]["username"] == "owner"
    await comm.disconnect()


async def test_session_cookie_authenticates_from_an_allowed_origin(
    owner: User, private_document: Document
) -> None:
    from channels.db import database_sync_to_async

    cookie = await database_sync_to_async(session_cookie)(owner)
    headers = [(b"origin", b"http://testserver"), (b"cookie", cookie)]
    comm, state = await connected(f"/ws/document/{private_document.pk}/query/", headers=headers)
    assert state["data"]["user"]["id"] == owner.pk
    await comm.send_json_to({"query": "hello"})
    frames = await receive_turn(comm)
    assert frames[-1]["data"]["state"] == "completed"
    await comm.disconnect()


async def test_session_cookie_from_a_foreign_origin_is_rejected_at_the_handshake(
    owner: User, private_document: Document
) -> None:
    from channels.db import database_sync_to_async

    cookie = await database_sync_to_async(session_cookie)(owner)
    headers = [(b"origin", b"http://evil.example"), (b"cookie", cookie)]
    comm = communicator(f"/ws/document/{private_document.pk}/query/", headers=headers)
    ok, _ = await comm.connect()
    assert not ok


async def test_no_credentials_closes_4000(private_document: Document) -> None:
    assert await close_code(f"/ws/document/{private_document.pk}/query/") == 4000


async def test_expired_token_closes_4001(owner: User, private_document: Document) -> None:
    now = int(time.time())
    expired = jwt.encode(
        {"sub": str(owner.pk), "typ": "access", "iat": now - 100, "exp": now - 10},
        settings.SECRET_KEY,
        algorithm="HS256",
    )
    path = f"/ws/document/{private_document.pk}/query/?token={expired}"
    assert await close_code(path) == 4001


async def test_invalid_token_closes_4002(private_document: Document) -> None:
    path = f"/ws/document/{private_document.pk}/query/?token=not-a-token"
    assert await close_code(path) == 4002


async def test_strangers_document_closes_4004_exactly_like_a_missing_one(
    stranger: User, private_document: Document
) -> None:
    assert await close_code(document_path(private_document.pk, stranger)) == 4004
    assert await close_code(document_path(999999, stranger)) == 4004


async def test_corpus_route_refuses_strangers_and_missing_corpora_with_4004(
    owner: User, stranger: User, private_corpus: Corpus
) -> None:
    assert (
        await close_code(f"/ws/corpus/{private_corpus.pk}/query/?token={token_for(stranger)}")
        == 4004
    )
    assert await close_code(f"/ws/corpus/424242/query/?token={token_for(owner)}") == 4004
    comm, state = await connected(f"/ws/corpus/{private_corpus.pk}/query/?token={token_for(owner)}")
    assert state["data"]["conversation_id"] is None
    await comm.disconnect()


async def test_document_inside_a_corpus_must_belong_to_it(
    owner: User, private_document: Document, private_corpus: Corpus
) -> None:
    from channels.db import database_sync_to_async

    other = await database_sync_to_async(Corpus.objects.create)(title="Other", creator=owner)
    token = token_for(owner)
    ok_path = f"/ws/document/{private_document.pk}/query/corpus/{private_corpus.pk}/?token={token}"
    comm, _ = await connected(ok_path)
    await comm.disconnect()
    bad_path = f"/ws/document/{private_document.pk}/query/corpus/{other.pk}/?token={token}"
    assert await close_code(bad_path) == 4004


async def test_relay_global_ids_are_accepted(
    owner: User, private_document: Document, private_corpus: Corpus
) -> None:
    token = token_for(owner)
    doc_id = global_id("DocumentType", private_document.pk)
    corpus_id = global_id("CorpusType", private_corpus.pk)
    comm, _ = await connected(f"/ws/document/{doc_id}/query/corpus/{corpus_id}/?token={token}")
    await comm.disconnect()
    wrong_type = global_id("CorpusType", private_document.pk)
    assert await close_code(f"/ws/document/{wrong_type}/query/?token={token}") == 4004


async def test_load_from_conversation_id_must_be_visible_and_about_the_same_document(
    owner: User, stranger: User, private_document: Document
) -> None:
    from channels.db import database_sync_to_async

    conversation = await database_sync_to_async(Conversation.objects.create)(
        creator=owner, chat_with_document=private_document
    )
    other_doc = await database_sync_to_async(Document.objects.create)(
        title="Other", creator=owner, text="x"
    )
    extra = f"&load_from_conversation_id={conversation.pk}"
    comm, state = await connected(document_path(private_document.pk, owner, extra))
    assert state["data"]["conversation_id"] == conversation.pk
    await comm.disconnect()
    assert await close_code(document_path(other_doc.pk, owner, extra)) == 4004
    await database_sync_to_async(Document.objects.filter(pk=private_document.pk).update)(
        is_public=True
    )
    assert await close_code(document_path(private_document.pk, stranger, extra)) == 4004
    missing = "&load_from_conversation_id=987654"
    assert await close_code(document_path(private_document.pk, owner, missing)) == 4004


@override_settings(OC_CONNECTIONS_PER_MINUTE=2)
async def test_too_many_connections_close_4029(owner: User, private_document: Document) -> None:
    from config.websocket import limits

    limits._counter._counts.clear()
    path = document_path(private_document.pk, owner)
    for _ in range(2):
        comm, _state = await connected(path)
        await comm.disconnect()
    assert await close_code(path) == 4029
    limits._counter._counts.clear()


async def test_bad_subprotocol_token_is_accepted_with_the_subprotocol_then_closed_4002(
    private_document: Document,
) -> None:
    comm = communicator(
        f"/ws/document/{private_document.pk}/query/",
        subprotocols=["opencontracts.jwt.v1", "not-a-token"],
    )
    ok, subprotocol = await comm.connect()
    assert ok and subprotocol == "opencontracts.jwt.v1"
    output = await comm.receive_output(timeout=5)
    assert output == {"type": "websocket.close", "code": 4002}


@override_settings(OC_ALLOW_ANONYMOUS_CHAT=True)
async def test_anonymous_users_reach_public_corpora_only(
    owner: User, private_corpus: Corpus
) -> None:
    from channels.db import database_sync_to_async

    path = f"/ws/corpus/{private_corpus.pk}/query/"
    assert await close_code(path) == 4000
    await database_sync_to_async(Corpus.objects.filter(pk=private_corpus.pk).update)(is_public=True)
    comm, state = await connected(path)
    assert state["data"]["user"] is None
    await comm.disconnect()


async def test_a_session_from_before_a_password_change_is_anonymous(
    owner: User, private_document: Document
) -> None:
    from channels.db import database_sync_to_async

    cookie = await database_sync_to_async(session_cookie)(owner)
    owner.set_password("a new password")
    await database_sync_to_async(owner.save)()
    headers = [(b"origin", b"http://testserver"), (b"cookie", cookie)]
    assert await close_code(f"/ws/document/{private_document.pk}/query/", headers=headers) == 4000
