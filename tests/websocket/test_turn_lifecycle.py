"""A turn from query to final write: persistence, seq, coalescing, checkpoints, STOP, failures,
idempotent resends, resume, fan-out to every socket of the conversation (PROTOCOL §4, §5)."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from opencontractserver.annotations.models import Annotation
from opencontractserver.conversations.models import ChatMessage, MessageState, MessageType
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.support.turn_tasks import turns_settled
from tests.support.websocket_client import connected, document_path, receive, receive_turn

from . import scripted_agents

pytestmark = pytest.mark.django_db(transaction=True)


def script(**kwargs: Any) -> str:
    return json.dumps(kwargs)


def assert_gap_free(frames: list[dict[str, Any]], first: int = 1) -> None:
    assert [f["data"]["seq"] for f in frames] == list(range(first, first + len(frames)))
    assert len({f["data"]["message_id"] for f in frames}) == 1


def streamed_text(frames: list[dict[str, Any]]) -> str:
    return "".join(f["content"] for f in frames if f["type"] == "ASYNC_CONTENT")


@database_sync_to_async
def _messages() -> list[ChatMessage]:
    return list(ChatMessage.objects.order_by("id"))


@database_sync_to_async
def _message(pk: int) -> ChatMessage:
    return ChatMessage.objects.get(pk=pk)


@pytest.fixture
def annotation(private_document: Document) -> Annotation:
    return Annotation.objects.create(
        document=private_document, page=1, char_start=4, char_end=10, raw_text="tenant"
    )


async def test_full_turn_is_streamed_numbered_and_persisted(
    owner: User, private_document: Document, annotation: Annotation
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": script(words=4, thought=True, annotation_id=annotation.pk)})
    frames = await receive_turn(comm)
    assert_gap_free(frames)
    types = [f["type"] for f in frames]
    assert types == [
        "ASYNC_START",
        "ASYNC_THOUGHT",
        "ASYNC_THOUGHT",
        "ASYNC_SOURCES",
        *["ASYNC_CONTENT"] * 4,
        "ASYNC_FINISH",
    ]
    start, finish = frames[0], frames[-1]
    assert frames[1]["data"]["tool_name"] == "search" and frames[1]["data"]["args"]
    assert frames[3]["data"]["sources"][0]["annotation_id"] == annotation.pk
    assert streamed_text(frames) == finish["content"] == scripted_agents.words(4)
    assert finish["data"]["state"] == "completed"
    human, llm = await _messages()
    assert start["data"]["user_message_id"] == human.pk
    assert start["data"]["conversation_id"] == human.conversation_id
    assert finish["data"]["message_id"] == llm.pk
    assert human.msg_type == MessageType.HUMAN and human.creator_id == owner.pk
    assert json.loads(human.content)["words"] == 4
    assert llm.state == MessageState.COMPLETED
    assert llm.content == finish["content"]
    assert llm.data["sources"] == finish["data"]["sources"]
    assert llm.data["timeline"] == finish["data"]["timeline"]
    assert [e["type"] for e in llm.data["timeline"]] == ["tool_call", "tool_result", "sources"]
    assert llm.data["usage"]["output_tokens"] == 4
    assert llm.data["last_seq"] == finish["data"]["seq"]
    assert llm.owner_key is None
    linked = await database_sync_to_async(lambda: list(llm.source_annotations.all()))()
    assert linked == [annotation]
    await comm.disconnect()


async def test_human_message_is_saved_before_async_start_and_llm_starts_in_progress(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": script(words=30, delay=0.02)})
    start = await receive(comm)
    assert start["type"] == "ASYNC_START"
    assert json.loads(start["content"])["words"] == 30  # the question, for other tabs and replays
    human = await _message(start["data"]["user_message_id"])
    assert human.msg_type == MessageType.HUMAN and json.loads(human.content)["words"] == 30
    llm = await _message(start["data"]["message_id"])
    assert llm.state == MessageState.IN_PROGRESS and llm.owner_key is not None
    await receive_turn(comm)
    await comm.disconnect()


@override_settings(OC_CHECKPOINT_INTERVAL_SECONDS=0.1)
async def test_content_is_checkpointed_in_batches_while_it_streams(
    owner: User, private_document: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opencontractserver.conversations import turn_store

    checkpoints: list[str] = []
    original = turn_store.checkpoint_turn

    def counting_checkpoint(message_id: int, content: str) -> None:
        checkpoints.append(content)
        original(message_id, content)

    monkeypatch.setattr(turn_store, "checkpoint_turn", counting_checkpoint)
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": script(words=60, delay=0.01)})
    start = await receive(comm)
    stored_mid_stream = ""
    frames = [start]
    while frames[-1]["type"] != "ASYNC_FINISH":
        frames.append(await receive(comm))
        if len(frames) == 40:
            stored_mid_stream = (await _message(start["data"]["message_id"])).content
    content_frames = sum(1 for f in frames if f["type"] == "ASYNC_CONTENT")
    assert stored_mid_stream, "content reached the database before the turn ended"
    assert scripted_agents.words(60).startswith(stored_mid_stream)
    assert 2 <= len(checkpoints) <= content_frames // 5, "batched, never per token"
    assert all(scripted_agents.words(60).startswith(text) for text in checkpoints)
    await comm.disconnect()


@override_settings(OC_COALESCE_WINDOW_MS=50)
async def test_fast_deltas_are_coalesced_without_delaying_the_first_token(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": script(words=60, delay=0.002)})
    frames = await receive_turn(comm)
    contents = [f for f in frames if f["type"] == "ASYNC_CONTENT"]
    assert contents[0]["content"] == "w0 ", "the first token goes out alone, at once"
    assert len(contents) < 30, f"{len(contents)} content frames for 60 deltas"
    assert streamed_text(frames) == frames[-1]["content"] == scripted_agents.words(60)
    assert_gap_free(frames)
    await comm.disconnect()


async def test_stop_cancels_the_agent_and_keeps_the_partial_answer(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    query = script(words=200, delay=0.01)
    await comm.send_json_to({"query": query})
    start = await receive(comm)
    message_id = start["data"]["message_id"]
    frames = [start]
    while len(frames) < 4:
        frames.append(await receive(comm))
    await comm.send_json_to({"type": "STOP", "message_id": message_id})
    frames += await receive_turn(comm)
    finish = frames[-1]
    assert finish["type"] == "ASYNC_FINISH" and finish["data"]["state"] == "cancelled"
    assert_gap_free(frames)
    assert streamed_text(frames) == finish["content"]
    assert 0 < len(finish["content"]) < len(scripted_agents.words(200))
    assert query in scripted_agents.CANCELLED_RUNS
    llm = await _message(message_id)
    assert llm.state == MessageState.CANCELLED and llm.content == finish["content"]
    await comm.send_json_to({"type": "STOP", "message_id": message_id})
    refused = await receive(comm)
    assert refused["data"]["error_code"] == "not_running"
    await comm.disconnect()


async def test_a_failing_agent_ends_the_turn_with_async_error_and_state_error(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": script(words=2, fail="provider_timeout")})
    frames = await receive_turn(comm)
    assert frames[-1]["type"] == "ASYNC_ERROR"
    assert frames[-1]["data"]["error_code"] == "provider_timeout"
    llm = await _message(frames[-1]["data"]["message_id"])
    assert llm.state == MessageState.ERROR and llm.data["error_code"] == "provider_timeout"
    assert llm.content == "w0 w1 "
    await comm.send_json_to({"query": script(words=1, crash=True)})
    frames = await receive_turn(comm)
    assert frames[-1]["data"]["error_code"] == "agent_error"
    assert (await _message(frames[-1]["data"]["message_id"])).state == MessageState.ERROR
    await comm.disconnect()


async def test_disconnecting_does_not_cancel_the_turn(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": script(words=15, delay=0.01)})
    start = await receive(comm)
    await comm.disconnect()
    await turns_settled()
    llm = await _message(start["data"]["message_id"])
    assert llm.state == MessageState.COMPLETED
    assert llm.content == scripted_agents.words(15)


async def test_resent_query_with_the_same_client_id_replays_instead_of_starting_again(
    owner: User, private_document: Document
) -> None:
    client_id = str(uuid.uuid4())
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": script(words=3), "client_id": client_id})
    first = await receive_turn(comm)
    await comm.disconnect()
    again, _ = await connected(document_path(private_document.pk, owner))
    await again.send_json_to({"query": script(words=3), "client_id": client_id})
    replayed = await receive_turn(again)
    assert replayed == first
    assert len(await _messages()) == 2
    await again.disconnect()


async def test_reconnect_mid_turn_then_resume_stream_gives_every_frame_once(
    owner: User, private_document: Document
) -> None:
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": script(words=40, delay=0.01)})
    received = [await receive(comm) for _ in range(5)]
    conversation_id = received[0]["data"]["conversation_id"]
    message_id = received[0]["data"]["message_id"]
    await comm.disconnect()
    extra = f"&load_from_conversation_id={conversation_id}"
    again, state = await connected(document_path(private_document.pk, owner, extra))
    assert state["data"]["active_message_id"] == message_id
    assert state["data"]["last_seq"] >= 5
    await again.send_json_to(
        {
            "type": "RESUME_STREAM",
            "message_id": message_id,
            "after_seq": received[-1]["data"]["seq"],
        }
    )
    received += await receive_turn(again)
    assert_gap_free(received)
    assert streamed_text(received) == received[-1]["content"] == scripted_agents.words(40)
    await again.send_json_to({"type": "RESUME_STREAM", "message_id": message_id, "after_seq": 0})
    assert await receive_turn(again) == received
    assert await again.receive_nothing(timeout=0.1)
    await again.disconnect()


async def test_every_socket_of_the_conversation_sees_the_turn_live(
    owner: User, private_document: Document
) -> None:
    first, _ = await connected(document_path(private_document.pk, owner))
    await first.send_json_to({"query": "hello"})
    conversation_id = (await receive_turn(first))[0]["data"]["conversation_id"]
    extra = f"&load_from_conversation_id={conversation_id}"
    second, _ = await connected(document_path(private_document.pk, owner, extra))
    await first.send_json_to({"query": script(words=10, delay=0.005)})
    seen_by_first, seen_by_second = await asyncio.gather(receive_turn(first), receive_turn(second))
    assert seen_by_first == seen_by_second
    assert_gap_free(seen_by_second)
    await second.send_json_to({"query": script(words=2)})
    assert (await receive_turn(first))[-1]["content"] == "w0 w1 "
    await receive_turn(second)
    await first.disconnect()
    await second.disconnect()


async def test_a_turn_left_by_a_dead_process_is_settled_as_interrupted(
    owner: User, private_document: Document
) -> None:
    from opencontractserver.conversations.models import Conversation

    def crashed_turn() -> tuple[int, int, int]:
        conversation = Conversation.objects.create(
            creator=owner, chat_with_document=private_document
        )
        human = ChatMessage.objects.create(
            conversation=conversation, msg_type=MessageType.HUMAN, content="q", creator=owner
        )
        llm = ChatMessage.objects.create(
            conversation=conversation,
            msg_type=MessageType.LLM,
            content="partial",
            state=MessageState.IN_PROGRESS,
            owner_key=123456789,  # nobody holds this advisory lock
            data={"user_message_id": human.pk, "last_seq": 0},
        )
        return conversation.pk, human.pk, llm.pk

    conversation_id, human_id, llm_id = await database_sync_to_async(crashed_turn)()
    extra = f"&load_from_conversation_id={conversation_id}"
    comm, state = await connected(document_path(private_document.pk, owner, extra))
    assert state["data"]["active_message_id"] is None
    llm = await _message(llm_id)
    assert llm.state == MessageState.ERROR and llm.data["error_code"] == "interrupted"
    assert llm.content == "partial"
    assert (await _message(human_id)).state == MessageState.COMPLETED
    await comm.send_json_to({"type": "RESUME_STREAM", "message_id": llm_id, "after_seq": 0})
    ending = await receive(comm)
    assert ending["type"] == "ASYNC_ERROR" and ending["data"]["error_code"] == "interrupted"
    assert ending["data"]["seq"] == 1
    await comm.disconnect()


async def test_a_server_failure_mid_turn_ends_it_as_error_instead_of_leaving_it_running(
    owner: User, private_document: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opencontractserver.conversations import turn_store

    def broken_finish(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(turn_store, "finish_turn", broken_finish)
    comm, _ = await connected(document_path(private_document.pk, owner))
    await comm.send_json_to({"query": script(words=2)})
    frames = await receive_turn(comm)
    assert frames[-1]["type"] == "ASYNC_ERROR"
    assert frames[-1]["data"]["error_code"] == "server_error"
    assert_gap_free(frames)
    llm = await _message(frames[-1]["data"]["message_id"])
    assert llm.state == MessageState.ERROR and llm.data["error_code"] == "server_error"
    await comm.disconnect()
