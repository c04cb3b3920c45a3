"""The document agent over scripted models: tools, sources, citations, failures, cancellation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from pydantic_ai import ModelMessagesTypeAdapter
from pydantic_ai.exceptions import ModelAPIError
from pydantic_ai.messages import ModelMessage, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import (
    AgentInfo,
    DeltaThinkingCalls,
    DeltaThinkingPart,
    FunctionModel,
)
from pytest_django import Settings as SettingsWrapper

from opencontractserver.conversations.models import Conversation
from opencontractserver.documents.models import Document
from opencontractserver.llms.agents.events import ContentDelta, RunFailed, RunFinished
from opencontractserver.llms.agents.factory import for_document
from opencontractserver.users.models import User
from tests.support.contract_corpus import ContractCorpus

from .helpers import Call, collect, content_of, kinds, scripted, sources_of, thoughts_of

pytestmark = pytest.mark.django_db(transaction=True)


async def test_tool_call_sources_content_then_finish(
    owner: User, contracts: ContractCorpus, lease_conversation: Conversation
) -> None:
    model = scripted([Call("search_document", {"query": "rent"}), "Rent is due monthly [1]."])
    agent = for_document(contracts.lease, user=owner, conversation=lease_conversation, model=model)

    events = await collect(agent.run("When is rent due?"))

    assert kinds(events) == ["thought", "thought", "sources", "content", "finished"]
    call, result = thoughts_of(events)
    assert call.entry.type == "tool_call"
    assert call.entry.tool == "search_document"
    assert call.entry.args == {"query": "rent"}
    assert result.entry.type == "tool_result"
    sources = sources_of(events)
    assert result.entry.count == len(sources) > 0
    assert all(s.document_id == contracts.lease.pk for s in sources)
    assert "rent" in sources[0].rawText.lower()
    assert content_of(events).strip() == "Rent is due monthly [1]."
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    assert finished.usage.requests == 2
    assert finished.usage.total_tokens == finished.usage.input_tokens + finished.usage.output_tokens
    stored = ModelMessagesTypeAdapter.validate_python(finished.model_messages)
    parts = [p for m in stored for p in m.parts]
    assert any(isinstance(p, ToolCallPart) and p.tool_name == "search_document" for p in parts)
    assert any(isinstance(p, ToolReturnPart) for p in parts)


async def test_sources_are_deduplicated_across_the_turn(
    owner: User, contracts: ContractCorpus
) -> None:
    model = scripted(
        [
            Call("search_document", {"query": "rent"}),
            Call("search_document", {"query": "rent late fee"}),
            "Done [1] [2].",
        ]
    )
    agent = for_document(contracts.lease, user=owner, conversation=None, model=model)

    events = await collect(agent.run("Tell me about rent"))

    ids = [s.annotation_id for s in sources_of(events)]
    assert len(ids) == len(set(ids)) >= 2


async def test_citations_of_unsent_sources_are_dropped(
    owner: User, contracts: ContractCorpus
) -> None:
    model = scripted([Call("search_document", {"query": "heating"}), "Repairs [1] and [7] [1, 9]."])
    agent = for_document(contracts.lease, user=owner, conversation=None, model=model)

    events = await collect(agent.run("Who repairs the heating?"))

    # The lease has five passages, so at most five sources: [7] and [9] were never sent.
    assert 1 <= len(sources_of(events)) <= 5
    assert content_of(events).strip() == "Repairs [1] and  [1]."


async def test_provider_error_mid_stream_fails_the_turn_with_a_stable_code(
    owner: User, contracts: ContractCorpus
) -> None:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        yield "Partial "
        yield "answer "
        raise ModelAPIError("scripted", "upstream exploded")

    agent = for_document(
        contracts.lease, user=owner, conversation=None, model=FunctionModel(stream_function=stream)
    )

    events = await collect(agent.run("Anything?"))

    assert content_of(events) == "Partial answer "
    failed = events[-1]
    assert isinstance(failed, RunFailed)
    assert failed.error_code == "provider_error"
    assert "exploded" not in failed.error


async def test_usage_limit_fails_the_turn(
    owner: User, contracts: ContractCorpus, settings: SettingsWrapper
) -> None:
    settings.OC_LLM_REQUEST_LIMIT = 3
    model = scripted([Call("search_document", {"query": "rent"})])  # searches forever
    agent = for_document(contracts.lease, user=owner, conversation=None, model=model)

    events = await collect(agent.run("Loop"))

    assert isinstance(events[-1], RunFailed)
    assert events[-1].error_code == "usage_limit"


async def test_slow_model_times_out(
    owner: User, contracts: ContractCorpus, settings: SettingsWrapper
) -> None:
    settings.OC_LLM_TIMEOUT_SECONDS = 0.2

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        yield "Thinking "
        await asyncio.sleep(5)
        yield "never"

    agent = for_document(
        contracts.lease, user=owner, conversation=None, model=FunctionModel(stream_function=stream)
    )

    events = await collect(agent.run("Slow?"))

    assert isinstance(events[-1], RunFailed)
    assert events[-1].error_code == "provider_timeout"


async def test_cancelling_the_consumer_cancels_the_model_stream(
    owner: User, contracts: ContractCorpus
) -> None:
    model_closed = asyncio.Event()
    first_delta = asyncio.Event()

    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[str]:
        try:
            for n in range(1000):
                yield f"word{n} "
                await asyncio.sleep(0.01)
        finally:
            model_closed.set()

    agent = for_document(
        contracts.lease, user=owner, conversation=None, model=FunctionModel(stream_function=stream)
    )
    received: list[str] = []

    async def consume() -> None:
        async for event in agent.run("Go on and on"):
            if isinstance(event, ContentDelta):
                received.append(event.text)
                first_delta.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_delta.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(model_closed.wait(), 5)
    assert 0 < len(received) < 1000


async def test_a_passage_of_a_strangers_document_reads_as_missing(
    owner: User, contracts: ContractCorpus, strangers_document: Document
) -> None:
    secret = await strangers_document.annotations.afirst()
    assert secret is not None
    seen: list[list[ModelMessage]] = []
    model = scripted(
        [Call("read_passage", {"annotation_id": secret.pk}), "Nothing there."], seen=seen
    )
    agent = for_document(contracts.lease, user=owner, conversation=None, model=model)

    events = await collect(agent.run("Read passage"))

    assert sources_of(events) == []
    returned = [p for p in seen[-1][-1].parts if isinstance(p, ToolReturnPart)]
    assert returned[0].content == "No such passage in this document."
    assert "9,999" not in str(seen[-1])


async def test_reading_a_passage_by_id_makes_it_a_citable_source(
    owner: User, contracts: ContractCorpus
) -> None:
    passage = await contracts.lease.annotations.filter(raw_text__contains="late fee").afirst()
    assert passage is not None
    model = scripted([Call("read_passage", {"annotation_id": passage.pk}), "Late fee [1]."])
    agent = for_document(contracts.lease, user=owner, conversation=None, model=model)

    events = await collect(agent.run("Read it"))

    assert [s.annotation_id for s in sources_of(events)] == [passage.pk]
    assert content_of(events).strip() == "Late fee [1]."


async def test_overview_tools_describe_only_the_chat_document(
    owner: User, contracts: ContractCorpus, strangers_document: Document
) -> None:
    await Document.objects.filter(pk=contracts.lease.pk).aupdate(summary="A one-year lease.")
    seen: list[list[ModelMessage]] = []
    model = scripted(
        [
            Call("get_document_outline", {}),
            Call("get_document_summary", {}),
            Call("list_annotations", {}),
            "Overview done.",
        ],
        seen=seen,
    )
    agent = for_document(contracts.lease, user=owner, conversation=None, model=model)

    events = await collect(agent.run("Overview please"))

    assert isinstance(events[-1], RunFinished)
    outline, summary, annotations = (
        next(p for p in messages[-1].parts if isinstance(p, ToolReturnPart)).content
        for messages in seen[1:]
    )
    assert isinstance(outline, str)
    assert outline.startswith('"Residential lease", 3 page(s).')
    assert "- page 2 (passage " in outline and "A late fee" in outline
    assert "secret" not in outline
    assert summary == "A one-year lease."
    assert annotations == "This document has no annotations yet."


async def test_reading_a_page_range_returns_the_passages_of_those_pages(
    owner: User, contracts: ContractCorpus
) -> None:
    model = scripted([Call("read_passage", {"first_page": 2, "last_page": 3}), "Pages read [1]."])
    agent = for_document(contracts.lease, user=owner, conversation=None, model=model)

    events = await collect(agent.run("Read pages 2 to 3"))

    assert [s.page for s in sources_of(events)] == [2, 2, 3]
    assert thoughts_of(events)[0].text == "Reading page(s) 2 to 3"


async def test_model_thinking_becomes_a_thought_step(
    owner: User, contracts: ContractCorpus
) -> None:
    async def stream(
        messages: list[ModelMessage], info: AgentInfo
    ) -> AsyncIterator[str | DeltaThinkingCalls]:
        if len(messages) == 1:
            yield {0: DeltaThinkingPart(content="The user wants ")}
            yield {0: DeltaThinkingPart(content="a greeting.")}
        else:
            yield "unused"

    agent = for_document(
        contracts.lease, user=owner, conversation=None, model=FunctionModel(stream_function=stream)
    )

    events = await collect(agent.run("Hello"))

    thought = thoughts_of(events)[0]
    assert (thought.text, thought.entry.type) == ("The user wants a greeting.", "thought")
