"""Approvals are enforced on the server: one decision per pause, only by people with write
access, on both consumers, and across a restart between the pause and the decision."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async

from config.websocket.engine import replay
from opencontractserver.annotations.models import Note
from opencontractserver.conversations.models import (
    ChatMessage,
    Conversation,
    ConversationShare,
    MessageState,
)
from opencontractserver.conversations.ownership import release_process_owner_key
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.shared.models import SharePermission
from opencontractserver.users.models import User
from tests.support.turn_tasks import turns_settled
from tests.support.websocket_client import (
    connected,
    document_path,
    receive,
    receive_turn,
    token_for,
)

pytestmark = pytest.mark.django_db(transaction=True)

APPROVAL_SCRIPT = json.dumps({"words": 2, "approval": True})


async def _pause(comm: Any) -> list[dict[str, Any]]:
    await comm.send_json_to({"query": APPROVAL_SCRIPT})
    frames = await receive_turn(comm)
    assert frames[-1]["type"] == "ASYNC_APPROVAL_NEEDED"
    assert frames[-1]["data"]["pending_tool_call"] == {
        "name": "create_note",
        "arguments": {"title": "Rent", "content": "Monthly"},
        "tool_call_id": "call-1",
    }
    return frames


@database_sync_to_async
def _message(pk: int) -> ChatMessage:
    return ChatMessage.objects.get(pk=pk)


async def _until_finish(comm: Any) -> list[dict[str, Any]]:
    frames = [await receive(comm)]
    while frames[-1]["type"] != "ASYNC_FINISH":
        frames.append(await receive(comm))
    while not await comm.receive_nothing(timeout=0.05):
        frames.append(await receive(comm))
    return frames


@database_sync_to_async
def _notes() -> int:
    return Note.objects.count()


async def test_approved_call_runs_once_and_the_turn_continues_with_the_same_message_id(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    paused = await _pause(comm)
    message_id = paused[-1]["data"]["message_id"]
    stored = await _message(message_id)
    assert stored.state == MessageState.AWAITING_APPROVAL
    assert stored.data["pending_tool_call"]["name"] == "create_note"
    assert stored.model_messages == [{"kind": "request", "query": APPROVAL_SCRIPT}]
    await comm.send_json_to({"approval_decision": True, "llm_message_id": message_id})
    await comm.send_json_to({"approval_decision": True, "llm_message_id": message_id})
    frames: list[dict[str, Any]] = []
    refusals: list[dict[str, Any]] = []
    # The refusal of the second decision and the resumed turn race (the turn no longer waits
    # behind the claim on one database thread): read until both have arrived.
    while not frames or frames[-1]["type"] != "ASYNC_FINISH" or not refusals:
        frame = await receive(comm)
        (refusals if frame["type"] == "SYNC_CONTENT" else frames).append(frame)
    assert [r["data"]["error_code"] for r in refusals] == ["not_awaiting_approval"]
    assert [f["type"] for f in frames[:2]] == ["ASYNC_APPROVAL_RESULT", "ASYNC_RESUME"]
    assert frames[0]["data"]["decision"] == "approved"
    whole = paused + frames
    assert [f["data"]["seq"] for f in whole] == list(range(1, len(whole) + 1))
    assert {f["data"]["message_id"] for f in whole} == {message_id}
    content = "".join(f["content"] for f in whole if f["type"] == "ASYNC_CONTENT")
    assert content == frames[-1]["content"] == "w0 w1 Saved the note."
    assert await _notes() == 1
    stored = await _message(message_id)
    assert stored.state == MessageState.COMPLETED and stored.content == content
    assert stored.data["approval"]["decision"] == "approved"
    assert "pending_tool_call" not in stored.data
    await comm.disconnect()


async def test_concurrent_decisions_execute_the_tool_once(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    message_id = (await _pause(comm))[-1]["data"]["message_id"]
    conversation_id = (await _message(message_id)).conversation_id
    extra = f"&load_from_conversation_id={conversation_id}"
    other, state = await connected(document_path(private_document.pk, owner, extra))
    assert state["data"]["pending_approval"]["message_id"] == message_id
    decision = {"approval_decision": True, "llm_message_id": message_id}
    await asyncio.gather(comm.send_json_to(decision), other.send_json_to(decision))
    seen = await asyncio.gather(_until_finish(comm), _until_finish(other))
    refusals = [
        f["data"]["error_code"] for frames in seen for f in frames if f["type"] == "SYNC_CONTENT"
    ]
    assert refusals == ["not_awaiting_approval"]
    await turns_settled()
    assert await _notes() == 1
    await comm.disconnect()
    await other.disconnect()


async def test_rejection_tells_the_agent_and_runs_nothing(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    message_id = (await _pause(comm))[-1]["data"]["message_id"]
    await comm.send_json_to({"approval_decision": False, "llm_message_id": message_id})
    frames = await receive_turn(comm)
    assert frames[0]["data"]["decision"] == "rejected"
    assert frames[-1]["content"] == "w0 w1 Did not save the note."
    assert await _notes() == 0
    await comm.disconnect()


async def test_readers_of_a_shared_conversation_cannot_decide(
    owner: User, reader: User, shared_document: Document
) -> None:
    comm, _ = await connected(document_path(shared_document.pk, owner))
    message_id = (await _pause(comm))[-1]["data"]["message_id"]
    stored = await _message(message_id)
    await database_sync_to_async(ConversationShare.objects.create)(
        conversation_id=stored.conversation_id, user=reader, permission=SharePermission.READ
    )
    extra = f"&load_from_conversation_id={stored.conversation_id}"
    watcher, _ = await connected(document_path(shared_document.pk, reader, extra))
    await watcher.send_json_to({"approval_decision": True, "llm_message_id": message_id})
    refused = await receive(watcher)
    assert refused["data"]["error_code"] == "forbidden"
    await watcher.send_json_to({"type": "STOP", "message_id": message_id})
    assert (await receive(watcher))["data"]["error_code"] == "forbidden"
    await watcher.send_json_to({"query": "may I?"})
    assert (await receive(watcher))["data"]["error_code"] == "forbidden"
    assert (await _message(message_id)).state == MessageState.AWAITING_APPROVAL
    assert await _notes() == 0
    await comm.disconnect()
    await watcher.disconnect()


async def test_a_decision_for_another_conversations_message_is_refused(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    message_id = (await _pause(comm))[-1]["data"]["message_id"]
    await comm.disconnect()
    fresh, _ = await connected(document_path(private_document.pk, owner))
    await fresh.send_json_to({"query": "hi"})
    await receive_turn(fresh)
    await fresh.send_json_to({"approval_decision": True, "llm_message_id": message_id})
    assert (await receive(fresh))["data"]["error_code"] == "message_not_found"
    assert await _notes() == 0
    await fresh.disconnect()


async def test_approval_on_the_corpus_consumer_survives_a_restart(
    owner: User, private_corpus: Corpus
) -> None:
    path = f"/ws/corpus/{private_corpus.pk}/query/?token={token_for(owner)}"
    comm, _ = await connected(path)
    paused = await _pause(comm)
    message_id = paused[-1]["data"]["message_id"]
    await comm.disconnect()
    # A restart: the process's owner key and its in-process replay buffer are gone.
    release_process_owner_key()
    replay._in_process._frames.clear()
    conversation_id = (await _message(message_id)).conversation_id
    again, state = await connected(path + f"&load_from_conversation_id={conversation_id}")
    assert state["data"]["pending_approval"]["pending_tool_call"]["tool_call_id"] == "call-1"
    assert state["data"]["last_seq"] == paused[-1]["data"]["seq"]
    await again.send_json_to({"approval_decision": True, "llm_message_id": message_id})
    frames = await receive_turn(again)
    assert frames[0]["data"]["seq"] == paused[-1]["data"]["seq"] + 1
    assert frames[-1]["content"] == "w0 w1 Saved the note."
    assert await _notes() == 1
    stored = await _message(message_id)
    assert "frames" not in stored.data
    await again.send_json_to({"type": "RESUME_STREAM", "message_id": message_id, "after_seq": 0})
    replayed = await receive_turn(again)
    while replayed[-1]["type"] != "ASYNC_FINISH":
        replayed += await receive_turn(again)
    assert replayed == paused + frames, "the whole turn replays, across the pause and restart"
    await again.disconnect()


async def test_stop_while_awaiting_approval_cancels_the_turn(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    paused = await _pause(comm)
    message_id = paused[-1]["data"]["message_id"]
    await comm.send_json_to({"type": "STOP", "message_id": message_id})
    finish = await receive(comm)
    assert finish["type"] == "ASYNC_FINISH" and finish["data"]["state"] == "cancelled"
    assert finish["data"]["seq"] == paused[-1]["data"]["seq"] + 1
    assert finish["content"] == "w0 w1 "
    stored = await _message(message_id)
    assert stored.state == MessageState.CANCELLED
    await comm.send_json_to({"approval_decision": True, "llm_message_id": message_id})
    assert (await receive(comm))["data"]["error_code"] == "not_awaiting_approval"
    assert await _notes() == 0
    await comm.send_json_to({"type": "RESUME_STREAM", "message_id": message_id, "after_seq": 0})
    replayed = await receive_turn(comm)
    assert replayed == paused
    await comm.disconnect()


async def test_a_new_query_while_a_decision_is_pending_is_refused(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await _pause(comm)
    await comm.send_json_to({"query": "next"})
    assert (await receive(comm))["data"]["error_code"] == "approval_pending"
    count = await database_sync_to_async(Conversation.objects.count)()
    assert count == 1
    await comm.disconnect()
