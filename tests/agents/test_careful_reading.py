"""The agents search like careful readers: several searches, reading around a passage, citing
what they used; the offline model searches once and says so. Scripted models check that tool
calls, sources and citations line up."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import pytest
from channels.db import database_sync_to_async
from pydantic_ai.messages import ModelMessage, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, DeltaToolCalls, FunctionModel

from opencontractserver.conversations.subject import ChatSubject
from opencontractserver.documents.models import Document
from opencontractserver.llms.agents.citations import cited_numbers
from opencontractserver.llms.agents.factory import for_corpus, for_document
from opencontractserver.llms.agents.interface import AgentScope, get_agent_factory
from opencontractserver.llms.agents.offline import SEARCHED_ONCE
from opencontractserver.llms.agents.prompts import SEARCH_RULES
from opencontractserver.llms.tools.neighbours import NOT_IN_SCOPE
from opencontractserver.llms.tools.passages import PassageResults
from opencontractserver.users.models import User
from tests.support.contract_corpus import ContractCorpus

from .helpers import collect, content_of, sources_of, thoughts_of, turn_messages

pytestmark = pytest.mark.django_db(transaction=True)

# A step is a tool call (name, args computed from the passages returned so far) or the answer
# (computed from them too, so it can cite the numbers the tools handed out).
Passages = list[PassageResults]
Step = tuple[str, Callable[[Passages], dict[str, object]]] | Callable[[Passages], str]


def returned_passages(messages: list[ModelMessage]) -> Passages:
    results = []
    for message in turn_messages(messages):
        for part in getattr(message, "parts", []):
            if isinstance(part, ToolReturnPart) and isinstance(part.content, PassageResults):
                results.append(part.content)
    return results


def reader(steps: list[Step], instructions: list[str]) -> FunctionModel:
    async def stream(
        messages: list[ModelMessage], info: AgentInfo
    ) -> AsyncIterator[str | DeltaToolCalls]:
        instructions.append(info.instructions or "")
        position = sum(1 for m in turn_messages(messages) if m.kind == "response")
        step = steps[position]
        passages = returned_passages(messages)
        if isinstance(step, tuple):
            name, args = step
            call = DeltaToolCall(name=name, json_args=json.dumps(args(passages)))
            yield {0: call}
            return
        yield step(passages)

    return FunctionModel(stream_function=stream, model_name="careful-reader")


def cite_of(passages: Passages, words: str) -> int:
    return next(p.cite for r in passages for p in r.passages if words in p.text)


def id_of(passages: Passages, words: str) -> int:
    return next(p.annotation_id for r in passages for p in r.passages if words in p.text)


async def test_the_document_agent_searches_twice_reads_on_and_cites_what_it_used(
    owner: User, contracts: ContractCorpus
) -> None:
    instructions: list[str] = []
    model = reader(
        [
            ("search_document", lambda _: {"query": "how do I get out early", "limit": 2}),
            ("search_document", lambda _: {"query": "terminate notice", "limit": 2}),
            (
                "read_neighbours",
                lambda found: {"annotation_id": id_of(found, "terminate"), "after": 1},
            ),
            lambda found: (
                f"Either party may end it on sixty days' notice [{cite_of(found, 'terminate')}];"
                f" the landlord keeps the heating in repair [{cite_of(found, 'heating')}]."
            ),
        ],
        instructions,
    )
    agent = for_document(contracts.lease, user=owner, conversation=None, model=model)

    events = await collect(agent.run("How do I get out of the lease early?"))

    calls = [t.entry for t in thoughts_of(events) if t.entry.type == "tool_call"]
    assert [c.tool for c in calls] == ["search_document", "search_document", "read_neighbours"]
    assert SEARCH_RULES in instructions[0]
    sources = sources_of(events)
    assert len({s.annotation_id for s in sources}) == len(sources)  # each passage sent once
    passage = database_sync_to_async(contracts.passage)
    before = await passage(contracts.lease, "late fee")
    terminate = await passage(contracts.lease, "terminate")
    heating = await passage(contracts.lease, "heating")
    sent = [s.annotation_id for s in sources]
    assert {terminate.pk, heating.pk} <= set(sent)  # the neighbour after was read and sent
    assert sent.index(terminate.pk) < sent.index(heating.pk)
    answer = content_of(events)
    cited = [sources[n - 1].annotation_id for n in cited_numbers(answer)]
    assert cited == [terminate.pk, heating.pk], answer
    assert before.pk not in cited


async def test_reading_around_stays_inside_the_chat_s_documents(
    owner: User, contracts: ContractCorpus, strangers_document: Document
) -> None:
    passage = database_sync_to_async(contracts.passage)
    lease_passage = await passage(contracts.lease, "terminate")
    nda_passage = await passage(contracts.nda, "Delaware")
    secret = await strangers_document.annotations.aget()
    outcomes: list[str] = []

    def answer(found: Passages) -> str:
        return "done"

    for corpus_agent, annotation_id in (
        (True, secret.pk),  # a stranger's passage: never
        (False, nda_passage.pk),  # the document chat's own document only
        (True, lease_passage.pk),  # a document of the corpus, read from the corpus chat
    ):

        def read_around(_: Passages, i: int = annotation_id) -> dict[str, object]:
            return {"annotation_id": i}

        model = reader([("read_neighbours", read_around), answer], [])
        agent = (
            for_corpus(contracts.corpus, user=owner, conversation=None, model=model)
            if corpus_agent
            else for_document(contracts.lease, user=owner, conversation=None, model=model)
        )
        events = await collect(agent.run("read on"))
        results = [t.entry for t in thoughts_of(events) if t.entry.type == "tool_result"]
        outcomes.append("sources" if sources_of(events) else results[0].text)

    assert outcomes[:2] == [NOT_IN_SCOPE, NOT_IN_SCOPE]
    assert outcomes[2] == "sources"


async def test_the_offline_model_searches_once_and_says_so(
    owner: User, contracts: ContractCorpus
) -> None:
    agent = get_agent_factory()(AgentScope(owner, None, ChatSubject(contracts.lease, None)))

    events = await collect(agent.run("How much is the monthly rent?"))

    calls = [t.entry for t in thoughts_of(events) if t.entry.type == "tool_call"]
    assert [c.tool for c in calls] == ["search_document"]
    answer = content_of(events)
    assert SEARCHED_ONCE in answer.splitlines()[0]
    assert "1,200 dollars" in answer
