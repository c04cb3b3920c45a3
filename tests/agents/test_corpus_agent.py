"""The corpus agent: corpus search, listing, and document sub-agents relayed into the turn."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from pydantic_ai.messages import ModelMessage, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, DeltaToolCalls, FunctionModel

from opencontractserver.annotations.models import Note
from opencontractserver.conversations.message_data import PendingToolCall
from opencontractserver.conversations.models import Conversation
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.llms.agents.citations import cited_numbers
from opencontractserver.llms.agents.events import ApprovalNeeded, RunFinished
from opencontractserver.llms.agents.factory import for_corpus
from opencontractserver.llms.agents.interface import PausedRun
from opencontractserver.users.models import User
from tests.support.contract_corpus import ContractCorpus

from .helpers import Call, collect, content_of, kinds, scripted, sources_of, thoughts_of

pytestmark = pytest.mark.django_db(transaction=True)


def stored(paused: ApprovalNeeded) -> PausedRun:
    return PausedRun(
        pending_tool_call=PendingToolCall.model_validate_json(
            paused.pending_tool_call.model_dump_json()
        ),
        model_messages=json.loads(json.dumps(paused.model_messages)),
    )


async def test_corpus_search_cites_passages_from_several_documents(
    owner: User, contracts: ContractCorpus, corpus_conversation: Conversation
) -> None:
    model = scripted(
        [Call("search_corpus", {"query": "Acme Properties"}), "Acme signs both [1] [2]."]
    )
    agent = for_corpus(contracts.corpus, user=owner, conversation=corpus_conversation, model=model)

    events = await collect(agent.run("Who is Acme?"))

    sources = sources_of(events)
    assert {s.document_id for s in sources} == {contracts.lease.pk, contracts.nda.pk}
    assert all(s.corpus_id == contracts.corpus.pk for s in sources)
    assert isinstance(events[-1], RunFinished)


async def test_list_documents_shows_only_this_corpus(
    owner: User, contracts: ContractCorpus
) -> None:
    await Document.objects.acreate(title="Unrelated memo", creator=owner)
    seen: list[list[ModelMessage]] = []
    model = scripted([Call("list_documents", {}), "Two documents."], seen=seen)

    await collect(for_corpus(contracts.corpus, user=owner, conversation=None, model=model).run("?"))

    listing = next(p for p in seen[-1][-1].parts if isinstance(p, ToolReturnPart)).content
    assert isinstance(listing, str)
    assert "Residential lease" in listing and "Mutual NDA" in listing
    assert "Unrelated memo" not in listing


async def test_sub_agent_sources_and_steps_are_relayed_into_the_turn(
    owner: User, contracts: ContractCorpus, corpus_conversation: Conversation
) -> None:
    model = scripted(
        {
            "search_corpus": [
                Call("ask_document", {"document_id": contracts.lease.pk, "question": "Rent?"}),
                "The lease sets monthly rent [1].",
            ],
            "search_document": [
                Call("search_document", {"query": "rent"}),
                "Rent is 1,200 dollars monthly [1].",
            ],
        }
    )
    agent = for_corpus(contracts.corpus, user=owner, conversation=corpus_conversation, model=model)

    events = await collect(agent.run("What is the rent?"))

    assert kinds(events) == [
        "thought",  # ask_document call
        "thought",  # sub-agent: search call
        "thought",  # sub-agent: search result
        "sources",  # relayed from the sub-agent
        "thought",  # ask_document result
        "content",
        "finished",
    ]
    steps = thoughts_of(events)
    assert steps[0].entry.tool == "ask_document"
    assert steps[1].text.startswith("Residential lease: ")
    assert steps[1].entry.tool == "search_document"
    assert steps[1].entry.text == steps[1].text
    assert "1,200 dollars monthly" in steps[3].text
    sources = sources_of(events)
    assert sources and all(s.document_id == contracts.lease.pk for s in sources)
    assert set(cited_numbers(content_of(events))) <= set(range(1, len(sources) + 1))
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    assert finished.usage.requests == 4  # parent and sub-agent requests together


async def test_asking_about_a_document_outside_the_corpus_gets_nothing(
    owner: User, stranger: User, contracts: ContractCorpus, strangers_document: Document
) -> None:
    own_other = await Document.objects.acreate(title="Owner's loose file", creator=owner)
    seen: list[list[ModelMessage]] = []
    model = scripted(
        {
            "search_corpus": [
                Call("ask_document", {"document_id": strangers_document.pk, "question": "Rent?"}),
                Call("ask_document", {"document_id": own_other.pk, "question": "Rent?"}),
                "Nothing found.",
            ],
            "search_document": ["Should never run."],
        },
        seen=seen,
    )

    events = await collect(
        for_corpus(contracts.corpus, user=owner, conversation=None, model=model).run("Rent?")
    )

    assert sources_of(events) == []
    answers = [
        p.content
        for messages in seen
        for m in messages[-1:]
        for p in m.parts
        if isinstance(p, ToolReturnPart)
    ]
    assert answers == [
        f"There is no document {strangers_document.pk} in this corpus that you may read.",
        f"There is no document {own_other.pk} in this corpus that you may read.",
    ]


async def test_strangers_corpus_search_returns_nothing(
    stranger: User, contracts: ContractCorpus
) -> None:
    model = scripted([Call("search_corpus", {"query": "rent"}), "Nothing."])
    corpus = await Corpus.objects.aget(pk=contracts.corpus.pk)

    events = await collect(
        for_corpus(corpus, user=stranger, conversation=None, model=model).run("?")
    )

    assert sources_of(events) == []


def sub_write_model(lease_id: int) -> FunctionModel:
    """The corpus agent delegates; the document sub-agent proposes a note."""
    return scripted(
        {
            "search_corpus": [
                Call("ask_document", {"document_id": lease_id, "question": "add a note: renew"}),
                "The specialist handled it.",
            ],
            "search_document": [
                Call("add_document_note", {"content": "renew in May"}),
                "Note handled.",
            ],
        }
    )


@pytest.mark.parametrize("approved", [True, False])
async def test_a_sub_agent_write_pauses_the_parent_turn_until_decided(
    owner: User, contracts: ContractCorpus, corpus_conversation: Conversation, approved: bool
) -> None:
    first = for_corpus(
        contracts.corpus,
        user=owner,
        conversation=corpus_conversation,
        model=sub_write_model(contracts.lease.pk),
    )
    before = await collect(first.run("Note the renewal on the lease"))

    paused = before[-1]
    assert isinstance(paused, ApprovalNeeded)
    assert paused.pending_tool_call.name == "add_document_note"
    assert paused.pending_tool_call.arguments == {
        "document_id": contracts.lease.pk,
        "content": "renew in May",
    }
    assert await Note.objects.acount() == 0

    fresh = for_corpus(
        contracts.corpus,
        user=owner,
        conversation=corpus_conversation,
        model=sub_write_model(contracts.lease.pk),
    )
    after = await collect(fresh.resume(stored(paused), approved=approved))

    assert isinstance(after[-1], RunFinished)
    assert await Note.objects.acount() == (1 if approved else 0)
    sub_results = [t for t in thoughts_of(after) if t.text.startswith("Residential lease: ")]
    expected = "Note " if approved else "The user rejected"
    assert sub_results and sub_results[0].entry.type == "tool_result"
    assert expected in sub_results[0].text
    assert content_of(after).strip() == "The specialist handled it."


async def test_cancelling_the_turn_cancels_a_running_sub_agent(
    owner: User, contracts: ContractCorpus
) -> None:
    sub_started = asyncio.Event()
    sub_closed = asyncio.Event()

    async def stream(
        messages: list[ModelMessage], info: AgentInfo
    ) -> AsyncIterator[str | DeltaToolCalls]:
        if "ask_document" in {t.name for t in info.function_tools}:
            arguments = json.dumps({"document_id": contracts.lease.pk, "question": "Everything?"})
            yield {0: DeltaToolCall(name="ask_document", json_args=arguments, tool_call_id="ask")}
            return
        sub_started.set()
        try:
            for n in range(1000):
                yield f"detail{n} "
                await asyncio.sleep(0.01)
        finally:
            sub_closed.set()

    agent = for_corpus(
        contracts.corpus,
        user=owner,
        conversation=None,
        model=FunctionModel(stream_function=stream),
    )
    task = asyncio.create_task(collect(agent.run("Tell me everything")))
    await asyncio.wait_for(sub_started.wait(), 5)
    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(sub_closed.wait(), 5)
