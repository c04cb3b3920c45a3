"""Checkpoints gathered across turns (engine/checkpoint_batches.py): the running turns'
checkpoints asked within the gathering time are one statement, each row gets its own text, a
text the database refuses fails only its own turn, and a turn that settles withdraws a
checkpoint still gathering instead of waiting for it. A real PostgreSQL and the real database
threads; statements are only counted."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from config.websocket.engine import checkpoint_batches
from config.websocket.engine.checkpoints import Checkpoints
from opencontractserver.conversations import turn_store
from opencontractserver.conversations.models import ChatMessage, MessageState
from opencontractserver.conversations.subject import ChatSubject
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.support.statements import counted_statements
from tests.support.turn_tasks import turns_settled
from tests.support.websocket_client import connected, document_path, receive_turn

from . import scripted_agents

pytestmark = pytest.mark.django_db(transaction=True)
DEAD_OWNER = 7  # no process holds this advisory-lock key


@database_sync_to_async
def _running_turns(user: User, document: Document, count: int) -> list[int]:
    ids = []
    for _ in range(count):
        started = turn_store.start_turn(
            user=user,
            subject=ChatSubject(document, None),
            conversation_id=None,
            query="What is the rent?",
            client_id=None,
            owner_key=DEAD_OWNER,
        )
        assert isinstance(started, turn_store.StartedTurn)
        ids.append(started.llm_message_id)
    return ids


@database_sync_to_async
def _stored(message_ids: list[int]) -> list[tuple[str, str]]:
    by_id = {m.pk: m for m in ChatMessage.objects.filter(pk__in=message_ids)}
    return [(by_id[i].state, by_id[i].content) for i in message_ids]


@pytest.fixture
def statements() -> Iterator[list[str]]:
    with counted_statements() as found:
        yield found


def _checkpoint_statements(statements: list[str]) -> list[str]:
    return [sql for sql in statements if sql.lstrip().startswith("UPDATE") and "content" in sql]


@override_settings(OC_CHECKPOINT_INTERVAL_SECONDS=0.5)
async def test_checkpoints_asked_together_are_written_in_one_statement(
    owner: User, private_document: Document, statements: list[str]
) -> None:
    ids = await _running_turns(owner, private_document, 8)
    statements.clear()

    await asyncio.gather(
        *(checkpoint_batches.write(message_id, f"text of {message_id}") for message_id in ids)
    )

    assert len(_checkpoint_statements(statements)) == 1, statements
    assert await _stored(ids) == [(MessageState.IN_PROGRESS, f"text of {i}") for i in ids]


@override_settings(OC_CHECKPOINT_INTERVAL_SECONDS=0.5)
async def test_a_checkpoint_the_database_refuses_fails_only_its_own_turn(
    owner: User, private_document: Document
) -> None:
    ids = await _running_turns(owner, private_document, 3)
    texts = ["The rent", "a NUL \x00 PostgreSQL text cannot hold", "is 10"]

    outcomes = await asyncio.gather(
        *(checkpoint_batches.write(i, t) for i, t in zip(ids, texts, strict=True)),
        return_exceptions=True,
    )

    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], Exception)
    assert await _stored(ids) == [
        (MessageState.IN_PROGRESS, "The rent"),
        (MessageState.IN_PROGRESS, ""),
        (MessageState.IN_PROGRESS, "is 10"),
    ]


@override_settings(OC_CHECKPOINT_INTERVAL_SECONDS=300)  # gathers for a minute
async def test_settling_withdraws_a_checkpoint_still_gathering(
    owner: User, private_document: Document, statements: list[str]
) -> None:
    [message_id] = await _running_turns(owner, private_document, 1)
    statements.clear()
    checkpoints = Checkpoints(
        lambda text: checkpoint_batches.write(message_id, text),
        lambda: checkpoint_batches.withdraw(message_id),
    )
    checkpoints.submit("The rent")
    await asyncio.sleep(0)  # the write has been asked for and gathers

    await asyncio.wait_for(checkpoints.settle(), timeout=10)

    assert _checkpoint_statements(statements) == [], "withdrawn, not written"
    assert await _stored([message_id]) == [(MessageState.IN_PROGRESS, "")]


@override_settings(OC_CHECKPOINT_INTERVAL_SECONDS=0.05)
async def test_turns_streaming_together_share_their_checkpoint_statements(
    owner: User, private_document: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight sockets stream at once: their checkpoints go out in statements that carry several
    turns each, and every answer is stored whole."""
    rows_per_statement: list[int] = []
    single, together = turn_store.checkpoint_turn, turn_store.checkpoint_turns

    def one(message_id: int, content: str) -> None:
        rows_per_statement.append(1)
        single(message_id, content)

    def several(checkpoints: list[tuple[int, str]]) -> None:
        rows_per_statement.append(len(checkpoints))
        together(checkpoints)

    monkeypatch.setattr(turn_store, "checkpoint_turn", one)
    monkeypatch.setattr(turn_store, "checkpoint_turns", several)
    sockets = [(await connected(document_path(private_document.pk, owner)))[0] for _ in range(8)]
    query = json.dumps({"words": 60, "delay": 0.01})
    await asyncio.gather(*(comm.send_json_to({"query": query}) for comm in sockets))
    turns = await asyncio.gather(*(receive_turn(comm) for comm in sockets))
    await turns_settled()

    assert rows_per_statement and max(rows_per_statement) > 1, rows_per_statement
    assert sum(rows_per_statement) > len(rows_per_statement), "statements shared by turns"
    for frames in turns:
        finish = frames[-1]
        assert finish["type"] == "ASYNC_FINISH"
        stored = await _stored([finish["data"]["message_id"]])
        assert stored == [(MessageState.COMPLETED, scripted_agents.words(60))]
    for comm in sockets:
        await comm.disconnect()
