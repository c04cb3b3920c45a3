"""The offline extractive default: real tools, correct citations, approvals, pacing."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from pytest_django import Settings as SettingsWrapper

from opencontractserver.annotations.models import Note
from opencontractserver.conversations.models import Conversation
from opencontractserver.conversations.subject import ChatSubject
from opencontractserver.llms.agents.citations import cited_numbers
from opencontractserver.llms.agents.events import (
    AgentEvent,
    ApprovalNeeded,
    ContentDelta,
    RunFinished,
)
from opencontractserver.llms.agents.interface import AgentScope, PausedRun, get_agent_factory
from opencontractserver.llms.agents.offline import (
    NOT_FOUND,
    OFFLINE_LABEL,
    keywords,
    plain_text,
    write_intent,
)
from opencontractserver.users.models import User
from tests.support.contract_corpus import ContractCorpus, make_document

from .helpers import collect, content_of, sources_of

pytestmark = pytest.mark.django_db(transaction=True)


def assert_cites_only_what_was_sent(events: list[AgentEvent]) -> None:
    """Every citation marker names a source sent in this turn (retrieval may send more sources
    than the answer uses: hybrid search also returns passages close in meaning)."""
    sent = sources_of(events)
    cited = cited_numbers(content_of(events))
    assert sent, "no sources were sent"
    assert cited, "the answer cites nothing"
    assert set(cited) <= set(range(1, len(sent) + 1))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("When is the rent due?", "first day of each month"),
        ("What is the late fee?", "late fee of 50 dollars"),
        ("How can the lease be terminated?", "sixty days written notice"),
        ("Who repairs the heating?", "heating and plumbing"),
    ],
)
async def test_offline_document_agent_answers_with_correct_citations(
    owner: User,
    contracts: ContractCorpus,
    lease_conversation: Conversation,
    question: str,
    expected: str,
) -> None:
    agent = get_agent_factory()(
        AgentScope(owner, lease_conversation, ChatSubject(contracts.lease, None))
    )
    assert agent.model_label == OFFLINE_LABEL

    events = await collect(agent.run(question))

    assert isinstance(events[-1], RunFinished)
    assert_cites_only_what_was_sent(events)
    answer = content_of(events)
    assert expected in answer
    first_cited = sources_of(events)[cited_numbers(answer)[0] - 1]
    assert expected in first_cited.rawText


@pytest.mark.parametrize(
    ("question", "expected", "document"),
    [
        ("Which state's law governs the agreement?", "Delaware", "nda"),
        ("How long must confidential information stay secret?", "three years", "nda"),
        ("How much is the monthly rent?", "1,200 dollars", "lease"),
    ],
)
async def test_offline_corpus_agent_answers_across_documents(
    owner: User,
    contracts: ContractCorpus,
    corpus_conversation: Conversation,
    question: str,
    expected: str,
    document: str,
) -> None:
    agent = get_agent_factory()(
        AgentScope(owner, corpus_conversation, ChatSubject(None, contracts.corpus))
    )

    events = await collect(agent.run(question))

    assert isinstance(events[-1], RunFinished)
    assert_cites_only_what_was_sent(events)
    answer = content_of(events)
    assert expected in answer
    source = next(s for s in sources_of(events) if expected in s.rawText)
    assert source.document_id == getattr(contracts, document).pk


async def test_offline_agent_says_when_nothing_matches(
    owner: User, contracts: ContractCorpus
) -> None:
    agent = get_agent_factory()(AgentScope(owner, None, ChatSubject(contracts.lease, None)))

    events = await collect(agent.run("What about zebras and giraffes?"))

    assert isinstance(events[-1], RunFinished)
    assert cited_numbers(content_of(events)) == []
    assert content_of(events).strip() == NOT_FOUND


async def test_offline_agent_proposes_a_note_and_writes_it_once_approved(
    owner: User, contracts: ContractCorpus, lease_conversation: Conversation
) -> None:
    scope = AgentScope(owner, lease_conversation, ChatSubject(contracts.lease, None))
    events = await collect(get_agent_factory()(scope).run("Add a note: call the landlord in May"))

    paused = events[-1]
    assert isinstance(paused, ApprovalNeeded)
    assert paused.pending_tool_call.name == "add_document_note"
    assert paused.pending_tool_call.arguments == {"content": "call the landlord in May"}

    resumed = await collect(
        get_agent_factory()(scope).resume(
            PausedRun(paused.pending_tool_call, paused.model_messages), approved=True
        )
    )

    assert isinstance(resumed[-1], RunFinished)
    note = await Note.objects.aget()
    assert note.content == "call the landlord in May"
    assert content_of(resumed).strip() == f"Note {note.pk} was added to the document."


async def test_offline_corpus_agent_updates_the_description_after_approval(
    owner: User, contracts: ContractCorpus
) -> None:
    scope = AgentScope(owner, None, ChatSubject(None, contracts.corpus))
    events = await collect(
        get_agent_factory()(scope).run("Set the corpus description to: Acme's signed contracts")
    )
    paused = events[-1]
    assert isinstance(paused, ApprovalNeeded)
    assert paused.pending_tool_call.name == "update_corpus_description"

    resumed = await collect(
        get_agent_factory()(scope).resume(
            PausedRun(paused.pending_tool_call, paused.model_messages), approved=False
        )
    )

    assert isinstance(resumed[-1], RunFinished)
    assert "rejected" in content_of(resumed)
    await contracts.corpus.arefresh_from_db()
    assert contracts.corpus.description == ""


async def test_offline_agent_streams_token_by_token_at_the_configured_pace(
    owner: User, contracts: ContractCorpus, settings: SettingsWrapper
) -> None:
    settings.OC_OFFLINE_TOKENS_PER_SECOND = 2000
    agent = get_agent_factory()(AgentScope(owner, None, ChatSubject(contracts.lease, None)))

    events = await collect(agent.run("What is the late fee?"))

    deltas = [e for e in events if isinstance(e, ContentDelta)]
    assert len(deltas) > 10
    assert all(len(d.text.split()) <= 1 for d in deltas)


def test_write_requests_are_recognised_only_for_available_tools() -> None:
    tools = {"add_document_note", "search_document"}
    assert write_intent("please add a note: renew", tools) == (
        "add_document_note",
        {"content": "renew"},
    )
    assert write_intent("Set the corpus description to: x", tools) is None
    assert write_intent("What does the note say?", tools) is None
    assert keywords("What is the late fee?") == ["late", "fee"]


def test_plain_text_drops_markdown_markup_but_keeps_the_words() -> None:
    markdown = (
        "## 4. Rent\n\n"
        "- **Base Rent:** $28,700 per month, *payable* in advance to `Landlord`.\n"
        "* See [Schedule A](https://example.com/a) for __escalations__.\n"
        "---\n"
        "> 2 * 3 = 6 stays arithmetic"
    )

    assert plain_text(markdown) == (
        "4. Rent — Base Rent: $28,700 per month, payable in advance to Landlord."
        " See Schedule A for escalations. 2 * 3 = 6 stays arithmetic"
    )


async def test_offline_answer_quotes_markdown_passages_without_their_markup(
    owner: User, corpus_conversation: Conversation
) -> None:
    document = await sync_to_async(make_document)(
        owner,
        "Markdown lease",
        [
            (1, "## 3. Rent"),
            (
                1,
                "- **Monthly Rent.** The Tenant shall pay **$2,450** on the *first* of each month.",
            ),
        ],
    )
    agent = get_agent_factory()(AgentScope(owner, None, ChatSubject(document, None)))

    events = await collect(agent.run("What rent must the Tenant pay each month?"))

    answer = content_of(events)
    assert "Monthly Rent. The Tenant shall pay $2,450 on the first of each month." in answer
    assert not [marker for marker in ("**", "##", "- -", "*first*") if marker in answer], answer
    cited = sources_of(events)[cited_numbers(answer)[0] - 1]
    assert cited.rawText.startswith("- **Monthly Rent.**")  # the stored passage is untouched
