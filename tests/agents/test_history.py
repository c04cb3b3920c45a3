"""History rebuilt from the database, context compaction, and conversation titles."""

from __future__ import annotations

import pytest
from pydantic_ai.messages import ModelMessage, TextPart, ToolCallPart, UserPromptPart
from pydantic_ai.models.function import FunctionModel
from pytest_django import Settings as SettingsWrapper

from opencontractserver.conversations.models import (
    ChatMessage,
    Conversation,
    MessageState,
    MessageType,
)
from opencontractserver.llms.agents import titles
from opencontractserver.llms.agents.events import RunFinished
from opencontractserver.llms.agents.factory import for_document
from opencontractserver.llms.agents.history import INTERRUPTED_NOTE, compact_conversation
from opencontractserver.llms.agents.offline import offline_model
from opencontractserver.llms.agents.titles import offline_title, title_new_conversation
from opencontractserver.users.models import User
from tests.support.contract_corpus import ContractCorpus

from .helpers import Call, collect, scripted

pytestmark = pytest.mark.django_db(transaction=True)


async def store_turn(
    conversation: Conversation,
    owner: User,
    question: str,
    answer: str,
    finished: RunFinished | None,
    state: str = MessageState.COMPLETED,
) -> ChatMessage:
    """What the turn runner persists for a turn."""
    await ChatMessage.objects.acreate(
        conversation=conversation, msg_type=MessageType.HUMAN, content=question, creator=owner
    )
    return await ChatMessage.objects.acreate(
        conversation=conversation,
        msg_type=MessageType.LLM,
        content=answer,
        state=state,
        model_messages=finished.model_messages if finished else [],
    )


def prompts(messages: list[ModelMessage]) -> list[str]:
    return [
        str(part.content)
        for message in messages
        for part in message.parts
        if isinstance(part, UserPromptPart)
    ]


async def test_history_replays_completed_turns_with_their_tool_calls(
    owner: User, contracts: ContractCorpus, lease_conversation: Conversation
) -> None:
    first = await collect(
        for_document(
            contracts.lease,
            user=owner,
            conversation=lease_conversation,
            model=scripted([Call("search_document", {"query": "rent"}), "Monthly [1]."]),
        ).run("When is rent due?")
    )
    finished = first[-1]
    assert isinstance(finished, RunFinished)
    await store_turn(lease_conversation, owner, "When is rent due?", "Monthly [1].", finished)
    await store_turn(lease_conversation, owner, "Stopped question", "Half", None, "cancelled")
    await store_turn(lease_conversation, owner, "Written elsewhere?", "Yes.", None)
    seen: list[list[ModelMessage]] = []

    await collect(
        for_document(
            contracts.lease,
            user=owner,
            conversation=lease_conversation,
            model=scripted(["Sure."], seen=seen),
        ).run("And the late fee?")
    )

    replayed = seen[0]
    assert prompts(replayed) == [
        "When is rent due?",
        "Stopped question",
        "Written elsewhere?",
        "And the late fee?",
    ]
    calls = [p for m in replayed for p in m.parts if isinstance(p, ToolCallPart)]
    assert [c.tool_name for c in calls] == ["search_document"]


async def test_a_stopped_turn_is_replayed_with_its_partial_answer_marked_interrupted(
    owner: User, contracts: ContractCorpus, lease_conversation: Conversation
) -> None:
    await store_turn(
        lease_conversation, owner, "Summarise the lease.", "The lease runs for", None, "cancelled"
    )
    await store_turn(lease_conversation, owner, "Stopped at once", "", None, "cancelled")
    await store_turn(lease_conversation, owner, "Broken turn", "Oops", None, "error")
    seen: list[list[ModelMessage]] = []

    await collect(
        for_document(
            contracts.lease,
            user=owner,
            conversation=lease_conversation,
            model=scripted(["Five years [1]."], seen=seen),
        ).run("continue")
    )

    replayed = seen[0]
    assert prompts(replayed) == ["Summarise the lease.", "Stopped at once", "continue"]
    answers = [
        part.content for message in replayed for part in message.parts if isinstance(part, TextPart)
    ]
    assert answers == [
        f"The lease runs for\n\n{INTERRUPTED_NOTE}",
        INTERRUPTED_NOTE,
    ]
    assert "interrupted" in INTERRUPTED_NOTE


async def test_long_history_is_compacted_into_the_conversation_summary(
    owner: User,
    contracts: ContractCorpus,
    lease_conversation: Conversation,
    settings: SettingsWrapper,
) -> None:
    settings.OC_HISTORY_TOKEN_BUDGET = 60
    stored = []
    for n in range(3):
        stored.append(
            await store_turn(
                lease_conversation,
                owner,
                f"Question number {n} about the lease terms?",
                f"Answer number {n}. " + "More detail. " * 10,
                None,
            )
        )
    instructions: list[str] = []
    seen: list[list[ModelMessage]] = []
    model = scripted(["Fine."], seen=seen, instructions=instructions)

    await collect(
        for_document(contracts.lease, user=owner, conversation=lease_conversation, model=model).run(
            "Next question?"
        )
    )

    await lease_conversation.arefresh_from_db()
    assert lease_conversation.summary_through_message_id == stored[1].pk
    assert "Asked: Question number 0 about the lease terms?" in lease_conversation.summary
    assert "Answered: Answer number 1." in lease_conversation.summary
    assert prompts(seen[0]) == ["Question number 2 about the lease terms?", "Next question?"]
    assert lease_conversation.summary in instructions[0]


def test_offline_titles_come_from_the_first_question() -> None:
    assert (
        offline_title("  can you tell me when is the rent due?  ") == "Tell me when is the rent due"
    )
    assert offline_title("Hi! What is the late fee? Also the deposit.") == "What is the late fee"
    long_title = offline_title("Explain " + "every clause of the agreement " * 5)
    assert len(long_title) <= 60 and long_title.endswith("…")
    assert offline_title("???") == "New conversation"


async def test_a_new_conversation_gets_a_title_once(
    owner: User, lease_conversation: Conversation
) -> None:
    await store_turn(lease_conversation, owner, "what is the late fee?", "50 dollars.", None)

    title = await title_new_conversation(lease_conversation.pk, model=offline_model())
    again = await title_new_conversation(lease_conversation.pk, model=offline_model())

    await lease_conversation.arefresh_from_db()
    assert title == again == lease_conversation.title == "What is the late fee"


async def test_the_title_comes_from_the_question_of_the_first_completed_answer(
    owner: User, lease_conversation: Conversation
) -> None:
    await store_turn(lease_conversation, owner, "Summarise everything", "Sum", None, "cancelled")
    await store_turn(lease_conversation, owner, "What is the late fee?", "50 dollars.", None)

    title = await title_new_conversation(lease_conversation.pk, model=offline_model())

    assert title == "What is the late fee"


async def test_a_conversation_without_an_answer_is_not_titled(
    owner: User, lease_conversation: Conversation
) -> None:
    await ChatMessage.objects.acreate(
        conversation=lease_conversation, msg_type=MessageType.HUMAN, content="hello?"
    )

    assert await title_new_conversation(lease_conversation.pk) == ""
    await lease_conversation.arefresh_from_db()
    assert lease_conversation.title == ""


async def test_offline_titles_build_the_offline_model_once(
    owner: User, contracts: ContractCorpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []

    def counting_offline_model() -> FunctionModel:
        built.append("offline")
        return offline_model()

    monkeypatch.setattr(titles, "offline_model", counting_offline_model)
    titles._offline_title_model.cache_clear()
    try:
        for question in ("What is the late fee?", "When is the rent due?", "Who repairs?"):
            conversation = await Conversation.objects.acreate(
                creator=owner, chat_with_document=contracts.lease
            )
            await store_turn(conversation, owner, question, "An answer.", None)
            assert await title_new_conversation(conversation.pk) == question.rstrip("?")
    finally:
        titles._offline_title_model.cache_clear()
    assert built == ["offline"], "one offline model for every title"


async def test_compaction_can_be_run_by_the_turn_runner_with_the_configured_model(
    owner: User, lease_conversation: Conversation, settings: SettingsWrapper
) -> None:
    settings.OC_HISTORY_TOKEN_BUDGET = 10
    only = await store_turn(lease_conversation, owner, "First?", "One.", None)
    assert await compact_conversation(lease_conversation.pk) is False  # keeps the last turn

    await store_turn(lease_conversation, owner, "Second?", "Two.", None)
    assert await compact_conversation(lease_conversation.pk) is True

    await lease_conversation.arefresh_from_db()
    assert lease_conversation.summary == "- Asked: First? Answered: One."
    assert lease_conversation.summary_through_message_id == only.pk
