"""The turn store on its own (conversations/turn_store.py): what each write leaves in the LLM
message, typed as LlmMessageData, and the refusals that keep a turn from running twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar
from uuid import UUID, uuid4

import pytest
from django.db import connections
from pydantic import ValidationError

from opencontractserver.annotations.models import Annotation
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
from opencontractserver.conversations.models import ChatMessage, ConversationShare, MessageState
from opencontractserver.conversations.ownership import process_owner_key
from opencontractserver.conversations.subject import ChatSubject
from opencontractserver.documents.models import Document, DocumentShare
from opencontractserver.shared.models import SharePermission
from opencontractserver.users.models import User

T = TypeVar("T")
ClaimResult = turn_store.ClaimedTurn | ChatRefusal
DEAD_OWNER = 7  # no process holds this advisory-lock key

DECISIONS: tuple[ApprovalDecision, ...] = ("approved", "rejected")
PENDING = PendingToolCall(name="add_document_note", arguments={"content": "x"}, tool_call_id="c1")


def _ask(
    user: User,
    document: Document,
    conversation_id: int | None = None,
    *,
    client_id: UUID | None = None,
    owner_key: int = DEAD_OWNER,
) -> turn_store.StartedTurn | ChatRefusal | turn_store.SubjectGone:
    """`start_turn` with a question about `document`."""
    return turn_store.start_turn(
        user=user,
        subject=ChatSubject(document, None),
        conversation_id=conversation_id,
        query="What is the rent?",
        client_id=client_id,
        owner_key=owner_key,
    )


def _start(user: User, document: Document, conversation_id: int | None = None) -> int:
    started = _ask(user, document, conversation_id)
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
    owner: User, private_document: Document, release_owner_key_at_end: None
) -> None:
    running = _ask(owner, private_document, owner_key=process_owner_key())
    assert isinstance(running, turn_store.StartedTurn)
    refused = _ask(owner, private_document, running.conversation_id, client_id=uuid4())
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

    assert isinstance(won, turn_store.ClaimedTurn)
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


def _endings(message_ids: list[int], document: Document) -> list[turn_store.TurnEnding]:
    """A completed turn with a citation, a cancelled one, one with its model messages."""
    shapes = [
        (MessageState.COMPLETED, [_source(document)], [{"kind": "a"}]),
        (MessageState.CANCELLED, [], None),
        (MessageState.COMPLETED, [], [{"kind": "c"}]),
    ]
    return [
        turn_store.TurnEnding(
            message_id=message_id,
            state=state,
            content=f"Answer {index}.",
            sources=sources,
            timeline=[TimelineEntry(type="sources", count=index)],
            usage=Usage(requests=1, output_tokens=index),
            model_messages=model_messages,
            last_seq=5 + index,
        )
        for index, (message_id, (state, sources, model_messages)) in enumerate(
            zip(message_ids, shapes, strict=True)
        )
    ]


def _stored_ending(message_id: int) -> tuple[object, ...]:
    stored = ChatMessage.objects.get(pk=message_id)
    data = {key: value for key, value in stored.data.items() if key != "user_message_id"}
    cited = sorted(stored.source_annotations.values_list("pk", flat=True))
    return stored.state, stored.content, data, stored.model_messages, stored.owner_key, cited


@pytest.mark.parametrize("prepared", [True, False], ids=["prepared", "unprepared"])
def test_final_writes_together_store_what_each_stores_alone(
    prepared: bool, settings: Any, owner: User, private_document: Document
) -> None:
    settings.OC_DB_PREPARED_STATEMENTS = prepared  # off: Django's client-binding cursor
    annotation = Annotation.objects.create(
        document=private_document, page=1, char_start=0, char_end=4, raw_text="Rent"
    )
    document_source = _source(private_document).model_copy(update={"annotation_id": annotation.pk})
    alone = [_start(owner, private_document) for _ in range(3)]
    together = [_start(owner, private_document) for _ in range(3)]
    gone = _start(owner, private_document)
    for message_id in (*alone, *together):
        _pause_data_frames(message_id)

    for ending in _endings(alone, private_document):
        turn_store.finish_ending(
            replace(ending, sources=[document_source] if ending.sources else [])
        )
    batch = [
        replace(ending, sources=[document_source] if ending.sources else [])
        for ending in _endings(together, private_document)
    ]
    ChatMessage.objects.filter(pk=gone).delete()
    vanished = replace(batch[1], message_id=gone)
    turn_store.finish_turns([*batch, vanished])

    for one, other in zip(alone, together, strict=True):
        assert _stored_ending(other) == _stored_ending(one)
    assert _stored_ending(together[0])[5] == [annotation.pk], "the citation is linked"
    assert _stored_ending(together[1])[0] == MessageState.CANCELLED
    assert _stored_ending(together[2])[3] == [{"kind": "c"}]


def _pause_data_frames(message_id: int) -> None:
    """Leave frames and a pending call in the message's data, as a pause does: a final write
    drops both."""
    turn_store.pause_turn(
        message_id,
        content="",
        sources=[],
        timeline=[],
        pending_tool_call=PENDING,
        model_messages=[{"kind": "paused"}],
        last_seq=1,
        frames=[{"type": "ASYNC_START"}],
    )


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


# --- refusals and repeats ----------------------------------------------------------------------


def test_a_repeated_client_id_returns_the_earlier_turn_and_creates_nothing(
    owner: User, private_document: Document
) -> None:
    client_id = uuid4()
    first, again = (_ask(owner, private_document, client_id=client_id) for _ in range(2))
    assert isinstance(first, turn_store.StartedTurn) and isinstance(again, turn_store.StartedTurn)
    assert (again.conversation_id, again.user_message_id, again.llm_message_id) == (
        first.conversation_id,
        first.user_message_id,
        first.llm_message_id,
    )
    assert (first.duplicate, again.duplicate) == (False, True)
    assert ChatMessage.objects.count() == 2


def test_a_reader_may_not_add_a_turn_and_a_paused_turn_must_be_decided_first(
    owner: User, reader: User, shared_document: Document
) -> None:
    message_id = _start(owner, shared_document)
    conversation = ChatMessage.objects.get(pk=message_id).conversation
    ConversationShare.objects.create(
        conversation=conversation, user=reader, permission=SharePermission.READ
    )
    _pause(message_id)

    by_reader, by_owner = (_ask(user, shared_document, conversation.pk) for user in (reader, owner))

    assert isinstance(by_reader, ChatRefusal) and by_reader.error_code == "forbidden"
    assert isinstance(by_owner, ChatRefusal) and by_owner.error_code == "approval_pending"
    assert ChatMessage.objects.filter(conversation=conversation).count() == 2


def test_a_subject_no_longer_readable_ends_the_chat(
    owner: User, reader: User, shared_document: Document
) -> None:
    share = DocumentShare.objects.get(document=shared_document, user=reader)
    assert turn_store.subject_visible(reader, ChatSubject(shared_document, None))
    share.delete()

    started = _ask(reader, shared_document)

    assert isinstance(started, turn_store.SubjectGone)
    assert not ChatMessage.objects.exists()


# --- writes while and after a turn runs --------------------------------------------------------


def _pause(message_id: int) -> None:
    turn_store.pause_turn(
        message_id,
        content="Let me add that.",
        sources=[],
        timeline=[],
        pending_tool_call=PENDING,
        model_messages=[],
        last_seq=3,
        frames=[],
    )


def _time_out(message_id: int, content: str) -> None:
    """End the turn as the provider timing out, with `content` streamed (seq 5)."""
    turn_store.fail_turn(
        message_id,
        content=content,
        sources=[],
        timeline=[],
        error="The provider timed out.",
        error_code="provider_timeout",
        last_seq=5,
    )


def test_a_late_checkpoint_never_overwrites_the_final_answer(
    owner: User, private_document: Document
) -> None:
    message_id = _start(owner, private_document)
    turn_store.checkpoint_turn(message_id, "The rent")
    assert ChatMessage.objects.get(pk=message_id).content == "The rent"
    _time_out(message_id, "The rent is")

    turn_store.checkpoint_turn(message_id, "The rent is 10 and more")  # the checkpoint beside

    stored = ChatMessage.objects.get(pk=message_id)
    assert (stored.state, stored.content, stored.owner_key) == (
        MessageState.ERROR,
        "The rent is",
        None,
    )
    data = _data(message_id)
    assert (data.error, data.error_code, data.last_seq) == (
        "The provider timed out.",
        "provider_timeout",
        5,
    )


@pytest.mark.parametrize("prepared", [True, False], ids=["prepared", "unprepared"])
def test_checkpoints_together_store_what_each_stores_alone(
    prepared: bool, settings: Any, owner: User, private_document: Document
) -> None:
    settings.OC_DB_PREPARED_STATEMENTS = prepared  # off: Django's client-binding cursor
    running = [_start(owner, private_document) for _ in range(3)]
    ended = _start(owner, private_document)
    _time_out(ended, "The rent is 10.")

    odd = "Zo\u00eb\u2019s lease \u2014 \u00a72 \u2211 \U0001d518"  # accents, symbols, an astral
    texts = ["The rent", odd, "x" * 100_000, "late text"]
    turn_store.checkpoint_turns(list(zip([*running, ended], texts, strict=True))[::-1])

    for message_id, text in zip(running, texts, strict=False):
        stored = ChatMessage.objects.get(pk=message_id)
        assert (stored.state, stored.content) == (MessageState.IN_PROGRESS, text)
    assert ChatMessage.objects.get(pk=ended).content == "The rent is 10.", "an ended turn is kept"


def test_a_paused_turn_is_in_the_snapshot_and_cancelling_it_reserves_the_next_seq(
    owner: User, private_document: Document
) -> None:
    message_id = _start(owner, private_document)
    conversation_id = ChatMessage.objects.get(pk=message_id).conversation_id
    _pause(message_id)
    assert turn_store.conversation_snapshot(conversation_id) == turn_store.ConversationSnapshot(
        message_id, MessageState.AWAITING_APPROVAL, PENDING, 3
    )

    claimed = turn_store.claim_paused_turn(
        user=owner,
        conversation_id=conversation_id,
        message_id=message_id,
        decision="cancelled",
        owner_key=None,
    )

    assert isinstance(claimed, turn_store.ClaimedTurn) and claimed.last_seq == 4
    stored = turn_store.stored_turn(conversation_id=conversation_id, message_id=message_id)
    assert stored is not None and stored.state == MessageState.CANCELLED
    assert stored.data.approval is not None and stored.data.approval.decision == "cancelled"
    assert turn_store.conversation_snapshot(conversation_id).active_message_id is None


def test_a_stranger_cannot_claim_a_paused_turn(
    owner: User, stranger: User, private_document: Document
) -> None:
    message_id = _start(owner, private_document)
    conversation_id = ChatMessage.objects.get(pk=message_id).conversation_id
    _pause(message_id)

    refused = turn_store.claim_paused_turn(
        user=stranger,
        conversation_id=conversation_id,
        message_id=message_id,
        decision="approved",
        owner_key=DEAD_OWNER,
    )

    assert isinstance(refused, ChatRefusal) and refused.error_code == "message_not_found"
    assert ChatMessage.objects.get(pk=message_id).state == MessageState.AWAITING_APPROVAL


def test_a_turn_of_a_live_process_is_not_settled(
    owner: User, private_document: Document, release_owner_key_at_end: None
) -> None:
    started = _ask(owner, private_document, owner_key=process_owner_key())
    assert isinstance(started, turn_store.StartedTurn)
    dead = _start(owner, private_document)

    assert turn_store.settle_interrupted_turns() == [dead]
    assert ChatMessage.objects.get(pk=started.llm_message_id).state == MessageState.IN_PROGRESS


# --- races between connections (each thread has its own database connection) -------------------


def _race(count: int, work: Callable[[], T]) -> list[T]:
    """Run `work` in `count` threads released at the same moment; their results."""
    barrier = threading.Barrier(count)

    def run() -> T:
        barrier.wait()
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: run(), range(count)))


@pytest.mark.django_db(transaction=True)
def test_of_queries_racing_into_one_conversation_exactly_one_starts_a_turn(
    owner: User, private_document: Document, release_owner_key_at_end: None
) -> None:
    first = _start(owner, private_document)
    conversation_id = ChatMessage.objects.get(pk=first).conversation_id
    turn_store.finish_turn(
        first,
        state=MessageState.COMPLETED,
        content="10.",
        sources=[],
        timeline=[],
        usage=Usage(),
        model_messages=[],
        last_seq=2,
    )

    live = process_owner_key()  # the racers' turns are alive: none settles another's
    results = _race(
        4,
        lambda: _ask(owner, private_document, conversation_id, client_id=uuid4(), owner_key=live),
    )

    started = [r for r in results if isinstance(r, turn_store.StartedTurn)]
    refused = [r for r in results if isinstance(r, ChatRefusal)]
    assert len(started) == 1
    assert [r.error_code for r in refused] == ["turn_running"] * 3
    running = ChatMessage.objects.filter(
        conversation_id=conversation_id, state=MessageState.IN_PROGRESS
    )
    assert list(running.values_list("pk", flat=True)) == [started[0].llm_message_id]


@pytest.mark.django_db(transaction=True)
def test_of_decisions_racing_on_one_paused_turn_exactly_one_wins(
    owner: User, private_document: Document
) -> None:
    message_id = _start(owner, private_document)
    conversation_id = ChatMessage.objects.get(pk=message_id).conversation_id
    _pause(message_id)
    decisions = iter(DECISIONS * 2)
    lock = threading.Lock()

    def decide() -> ClaimResult:
        with lock:
            decision = next(decisions)
        return turn_store.claim_paused_turn(
            user=owner,
            conversation_id=conversation_id,
            message_id=message_id,
            decision=decision,
            owner_key=DEAD_OWNER,
        )

    results = _race(4, decide)

    won = [r for r in results if isinstance(r, turn_store.ClaimedTurn)]
    lost = [r for r in results if isinstance(r, ChatRefusal)]
    assert len(won) == 1 and won[0].pending_tool_call == PENDING
    assert [r.error_code for r in lost] == ["not_awaiting_approval"] * 3
    approval = _data(message_id).approval
    assert approval is not None and approval.pending_tool_call == PENDING


def test_reads_never_report_a_dead_turn_as_running(owner: User, private_document: Document) -> None:
    """The policy: the turn store's reads and turn starts settle a dead process's turn first."""
    dead = _start(owner, private_document)
    conversation_id = ChatMessage.objects.get(pk=dead).conversation_id

    first, second = (
        turn_store.stored_turn(conversation_id=conversation_id, message_id=dead) for _ in range(2)
    )

    assert first is not None and second is not None
    assert (first.state, first.data.error_code, first.settled_now) == (
        MessageState.ERROR,
        "interrupted",
        True,
    )
    assert (second.state, second.settled_now) == (MessageState.ERROR, False)
    dead_again = _start(owner, private_document, conversation_id)  # not refused: settled first
    assert turn_store.conversation_snapshot(conversation_id).active_message_id is None
    assert ChatMessage.objects.get(pk=dead_again).state == MessageState.ERROR
