"""The turn store on its own (conversations/turn_store.py): what each write leaves in the LLM
message, typed as LlmMessageData, and the refusals that keep a turn from running twice."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pydantic import ValidationError

from opencontractserver.annotations.sources import Source
from opencontractserver.conversations import turn_store
from opencontractserver.conversations.chat_refusal import ChatRefusal
from opencontractserver.conversations.message_data import (
    ApprovalDecision,
    LlmMessageData,
    PendingToolCall,
    TimelineEntry,
    Usage,
)
from opencontractserver.conversations.models import ChatMessage, MessageState
from opencontractserver.conversations.subject import ChatSubject
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User

DEAD_OWNER = 7  # no process holds this advisory-lock key

DECISIONS: tuple[ApprovalDecision, ...] = ("approved", "rejected")
PENDING = PendingToolCall(name="add_document_note", arguments={"content": "x"}, tool_call_id="c1")


def _start(user: User, document: Document, conversation_id: int | None = None) -> int:
    started = turn_store.start_turn(
        user=user,
        subject=ChatSubject(document, None),
        conversation_id=conversation_id,
        query="What is the rent?",
        client_id=None,
        owner_key=DEAD_OWNER,
    )
    assert isinstance(started, turn_store.StartedTurn)
    return started.llm_message_id


def _data(message_id: int) -> LlmMessageData:
    return LlmMessageData.read(ChatMessage.objects.get(pk=message_id).data)


def _source(document: Document) -> Source:
    return Source(
        annotation_id=1,
        document_id=document.pk,
        page=1,
        char_start=0,
        char_end=4,
        rawText="Rent",
        json_={"start": 0, "end": 4},
        score=0.5,
    )


def test_a_started_turn_stores_only_its_question_id_and_seq(
    owner: User, private_document: Document
) -> None:
    message_id = _start(owner, private_document)
    stored = ChatMessage.objects.get(pk=message_id)
    assert stored.state == MessageState.IN_PROGRESS
    human = ChatMessage.objects.get(conversation=stored.conversation, msg_type="HUMAN")
    assert stored.data == {"user_message_id": human.pk, "last_seq": 0}


def test_a_second_query_is_refused_while_a_turn_runs(
    owner: User, private_document: Document
) -> None:
    first = ChatMessage.objects.get(pk=_start(owner, private_document))
    refused = turn_store.start_turn(
        user=owner,
        subject=ChatSubject(private_document, None),
        conversation_id=first.conversation_id,
        query="again",
        client_id=uuid4(),
        owner_key=DEAD_OWNER,
    )
    assert isinstance(refused, ChatRefusal) and refused.error_code == "turn_running"


def test_pause_then_one_decision_wins_and_the_second_is_refused(
    owner: User, private_document: Document
) -> None:
    message_id = _start(owner, private_document)
    conversation_id = ChatMessage.objects.get(pk=message_id).conversation_id
    turn_store.pause_turn(
        message_id,
        content="Let me add that.",
        sources=[_source(private_document)],
        timeline=[TimelineEntry(type="tool_call", text="Proposing", tool="add_document_note")],
        pending_tool_call=PENDING,
        model_messages=[],
        last_seq=4,
        frames=[{"type": "ASYNC_START"}],
    )
    paused = _data(message_id)
    assert (paused.pending_tool_call, paused.last_seq, paused.frames) == (
        PENDING,
        4,
        [{"type": "ASYNC_START"}],
    )

    won, lost = (
        turn_store.claim_paused_turn(
            user=owner,
            conversation_id=conversation_id,
            message_id=message_id,
            decision=decision,
            owner_key=DEAD_OWNER,
        )
        for decision in DECISIONS
    )

    assert isinstance(won, turn_store.TurnSoFar)
    assert (won.pending_tool_call, won.last_seq, won.frames) == (
        PENDING,
        4,
        [{"type": "ASYNC_START"}],
    )
    assert won.sources == [_source(private_document)]
    assert isinstance(lost, ChatRefusal) and lost.error_code == "not_awaiting_approval"
    decided = _data(message_id)
    assert decided.approval is not None and decided.approval.decision == "approved"
    assert decided.approval.pending_tool_call == PENDING
    assert (decided.pending_tool_call, decided.frames) == (None, None)


def test_a_finished_turn_keeps_sources_timeline_usage_and_drops_the_pause(
    owner: User, private_document: Document
) -> None:
    message_id = _start(owner, private_document)
    turn_store.finish_turn(
        message_id,
        state=MessageState.COMPLETED,
        content="The rent is 10.",
        sources=[_source(private_document)],
        timeline=[TimelineEntry(type="sources", count=1)],
        usage=Usage(requests=1, output_tokens=5),
        model_messages=[],
        last_seq=9,
    )
    stored = ChatMessage.objects.get(pk=message_id)
    assert stored.state == MessageState.COMPLETED and stored.owner_key is None
    assert stored.data["sources"][0]["json"] == {"start": 0, "end": 4}  # the wire alias
    assert stored.data["timeline"] == [
        {"type": "sources", "text": "", "tool": None, "args": None, "count": 1}
    ]
    assert _data(message_id).usage == Usage(requests=1, output_tokens=5)
    assert "pending_tool_call" not in stored.data and "error" not in stored.data


def test_a_turn_of_a_dead_process_is_settled_as_interrupted(
    owner: User, private_document: Document
) -> None:
    message_id = _start(owner, private_document)
    assert turn_store.settle_interrupted_turns() == [message_id]
    stored = ChatMessage.objects.get(pk=message_id)
    assert stored.state == MessageState.ERROR
    assert (_data(message_id).error_code, _data(message_id).last_seq) == ("interrupted", 0)


def test_unknown_keys_survive_and_a_bad_code_is_rejected_on_read() -> None:
    data = LlmMessageData.read({"last_seq": 3, "written_by_a_newer_server": [1]})
    assert data.dump() == {"user_message_id": 0, "last_seq": 3, "written_by_a_newer_server": [1]}
    with pytest.raises(ValidationError):
        LlmMessageData.read({"error_code": "not-a-code"})
