"""An approval-gated write, end to end with the offline model: the owner asks for a note, the
turn pauses, a decision resumes the same turn; the note exists once if approved, never if not."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from config.websocket.engine import replay
from opencontractserver.annotations.models import Note
from opencontractserver.conversations.models import MessageState
from opencontractserver.conversations.ownership import release_process_owner_key
from opencontractserver.corpuses.models import Corpus
from opencontractserver.llms.agents.pause import REJECTED
from tests.support.demo_corpus import Demo
from tests.support.websocket_client import connected, receive, receive_turn, token_for

from .turn_checks import (
    assert_gap_free,
    assert_persisted_like_the_finish_frame,
    stored_message,
    streamed_text,
    types_of,
)

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Check the renewal option before June 2028"


@database_sync_to_async
def notes() -> list[tuple[int, str, int | None]]:
    return list(Note.objects.values_list("document_id", "content", "creator_id"))


async def pause_for_a_note(demo: Demo) -> tuple[Any, list[dict[str, Any]]]:
    lease = demo.document("commercial_lease.md")
    comm, _ = await connected(f"/ws/document/{lease.pk}/query/?token={token_for(demo.user)}")
    await comm.send_json_to({"query": f"add a note: {NOTE}"})
    paused = await receive_turn(comm)
    assert types_of(paused) == ["ASYNC_START", "ASYNC_THOUGHT", "ASYNC_APPROVAL_NEEDED"]
    assert paused[1]["data"]["tool_name"] == "add_document_note"
    pending = paused[-1]["data"]["pending_tool_call"]
    assert (pending["name"], pending["arguments"]) == ("add_document_note", {"content": NOTE})
    message, _ = await stored_message(paused[-1]["data"]["message_id"])
    assert message.state == MessageState.AWAITING_APPROVAL
    assert message.data["pending_tool_call"] == pending
    assert await notes() == []
    return comm, paused


async def decide(comm: Any, message_id: int, approved: bool) -> list[dict[str, Any]]:
    await comm.send_json_to({"approval_decision": approved, "llm_message_id": message_id})
    return await receive_turn(comm)


async def test_approved_note_is_written_once_and_the_turn_finishes(demo: Demo) -> None:
    comm, paused = await pause_for_a_note(demo)
    message_id = paused[-1]["data"]["message_id"]

    resumed = await decide(comm, message_id, approved=True)

    assert types_of(resumed)[:2] == ["ASYNC_APPROVAL_RESULT", "ASYNC_RESUME"]
    assert types_of(resumed)[-2:] == ["ASYNC_CONTENT", "ASYNC_FINISH"]
    assert resumed[0]["data"]["decision"] == "approved"
    whole = paused + resumed
    assert_gap_free(whole)
    finish = resumed[-1]
    assert finish["data"]["state"] == "completed"
    lease = demo.document("commercial_lease.md")
    [(document_id, content, creator_id)] = await notes()
    assert (document_id, content, creator_id) == (lease.pk, NOTE, demo.user.pk)
    assert streamed_text(whole) == finish["content"]
    assert "was added to the document" in finish["content"]
    stored = await assert_persisted_like_the_finish_frame(finish, MessageState.COMPLETED)
    assert stored.data["approval"]["decision"] == "approved"

    await comm.send_json_to({"approval_decision": True, "llm_message_id": message_id})
    refusal = await receive(comm)
    assert refusal["type"] == "SYNC_CONTENT"
    assert refusal["data"]["error_code"] == "not_awaiting_approval"
    assert len(await notes()) == 1
    await comm.disconnect()


async def test_rejected_note_is_not_written_and_the_turn_finishes_gracefully(
    demo: Demo,
) -> None:
    comm, paused = await pause_for_a_note(demo)
    message_id = paused[-1]["data"]["message_id"]

    resumed = await decide(comm, message_id, approved=False)

    assert types_of(resumed)[:2] == ["ASYNC_APPROVAL_RESULT", "ASYNC_RESUME"]
    assert resumed[0]["data"]["decision"] == "rejected"
    finish = resumed[-1]
    assert (finish["type"], finish["data"]["state"]) == ("ASYNC_FINISH", "completed")
    assert REJECTED in finish["content"], "the offline model relays what the tool was told"
    assert_gap_free(paused + resumed)
    assert streamed_text(paused + resumed) == finish["content"]
    assert await notes() == []
    await assert_persisted_like_the_finish_frame(finish, MessageState.COMPLETED)
    await comm.disconnect()


@database_sync_to_async
def corpus_description(pk: int) -> str:
    return Corpus.objects.get(pk=pk).description


async def test_corpus_description_approval_survives_a_restart_and_replays_whole(
    demo: Demo,
) -> None:
    path = f"/ws/corpus/{demo.corpus.pk}/query/?token={token_for(demo.user)}"
    comm, _ = await connected(path)
    await comm.send_json_to({"query": "set the corpus description to: The five demo contracts"})
    paused = await receive_turn(comm)
    assert paused[-1]["type"] == "ASYNC_APPROVAL_NEEDED"
    assert paused[-1]["data"]["pending_tool_call"]["name"] == "update_corpus_description"
    message_id = paused[-1]["data"]["message_id"]
    conversation_id = paused[0]["data"]["conversation_id"]
    await comm.disconnect()
    # A restart: the process's owner key and its in-process replay buffer are gone; what the
    # pause stored (pydantic-ai messages, frames) is all the new process has.
    release_process_owner_key()
    replay._in_process._frames.clear()

    again, state = await connected(path + f"&load_from_conversation_id={conversation_id}")
    assert state["data"]["pending_approval"]["message_id"] == message_id
    resumed = await decide(again, message_id, approved=True)

    assert types_of(resumed)[:2] == ["ASYNC_APPROVAL_RESULT", "ASYNC_RESUME"]
    assert resumed[-1]["data"]["state"] == "completed"
    assert_gap_free(paused + resumed)
    assert await corpus_description(demo.corpus.pk) == "The five demo contracts"
    await again.send_json_to({"type": "RESUME_STREAM", "message_id": message_id, "after_seq": 0})
    replayed = await receive_turn(again)
    while replayed[-1]["type"] != "ASYNC_FINISH":
        replayed += await receive_turn(again)
    assert replayed == paused + resumed, "the whole turn replays, across the pause and restart"
    await again.disconnect()


async def test_a_note_asked_for_in_corpus_chat_says_where_to_add_it(demo: Demo) -> None:
    comm, _ = await connected(f"/ws/corpus/{demo.corpus.pk}/query/?token={token_for(demo.user)}")
    await comm.send_json_to({"query": f"add a note: {NOTE}"})
    frames = await receive_turn(comm)

    assert types_of(frames) == ["ASYNC_START", "ASYNC_CONTENT", "ASYNC_FINISH"]
    assert frames[-1]["content"].startswith("I can add notes only in a document's chat")
    assert frames[-1]["data"]["sources"] == []
    assert await notes() == []
    await comm.disconnect()
