"""The real HTTP path: pydantic-ai's OpenAI provider against a loopback OpenAI-compatible stub."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_django import Settings as SettingsWrapper

from opencontractserver.annotations.models import Note
from opencontractserver.conversations.message_data import PendingToolCall
from opencontractserver.conversations.subject import ChatSubject
from opencontractserver.llms.agents.citations import cited_numbers
from opencontractserver.llms.agents.events import ApprovalNeeded, RunFailed, RunFinished
from opencontractserver.llms.agents.interface import AgentScope, PausedRun, get_agent_factory
from opencontractserver.llms.agents.pause import REJECTED
from opencontractserver.users.models import User
from tests.support.contract_corpus import ContractCorpus

from .helpers import collect, content_of, kinds, sources_of, thoughts_of
from .openai_stub import Reply, configure, openai_stub, text_reply, tool_call_reply

pytestmark = pytest.mark.django_db(transaction=True)


def search_then_answer(body: dict[str, Any]) -> Reply:
    if any(m["role"] == "tool" for m in body["messages"]):
        return text_reply("The tenant pays ", "rent on the first day of each month [", "1].")
    return tool_call_reply("call_search", "search_document", json.dumps({"query": "rent"}))


async def test_openai_compatible_server_streams_a_cited_answer_through_the_agent(
    owner: User,
    contracts: ContractCorpus,
    settings: SettingsWrapper,
    loopback_requests_only: None,
) -> None:
    async with openai_stub(search_then_answer) as stub:
        configure(settings, stub)
        agent = get_agent_factory()(AgentScope(owner, None, ChatSubject(contracts.lease, None)))
        assert agent.model_label == f"stub-model at {stub.base_url}"

        events = await collect(agent.run("When is rent due?"))

    assert kinds(events) == ["thought", "thought", "sources", "content", "finished"]
    assert thoughts_of(events)[0].entry.args == {"query": "rent"}
    answer = content_of(events)
    assert answer == "The tenant pays rent on the first day of each month [1]."
    sources = sources_of(events)
    assert cited_numbers(answer) == [1]
    assert "first day of each month" in sources[0].rawText
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    assert (finished.usage.requests, finished.usage.input_tokens) == (2, 220)
    assert finished.usage.output_tokens == 20

    first, second = stub.received
    assert first.headers["authorization"] == "Bearer stub-key"
    assert first.body["stream"] is True
    declared = {tool["function"]["name"] for tool in first.body["tools"]}
    assert {"search_document", "read_passage", "add_document_note"} <= declared
    tool_message = next(m for m in second.body["messages"] if m["role"] == "tool")
    assert '"cite":1' in tool_message["content"].replace(" ", "")


def propose_note_then_confirm(body: dict[str, Any]) -> Reply:
    tool_messages = [m for m in body["messages"] if m["role"] == "tool"]
    if tool_messages:
        return text_reply("Understood: ", tool_messages[-1]["content"])
    arguments = json.dumps({"content": "Call the landlord in May"})
    return tool_call_reply("call_note", "add_document_note", arguments)


@pytest.mark.parametrize("approved", [True, False])
async def test_an_approval_resumes_the_provider_conversation_after_a_restart(
    owner: User,
    contracts: ContractCorpus,
    settings: SettingsWrapper,
    loopback_requests_only: None,
    approved: bool,
) -> None:
    async with openai_stub(propose_note_then_confirm) as stub:
        configure(settings, stub)
        scope = AgentScope(owner, None, ChatSubject(contracts.lease, None))
        events = await collect(get_agent_factory()(scope).run("Add a note to call the landlord"))
        paused = events[-1]
        assert isinstance(paused, ApprovalNeeded)
        assert paused.pending_tool_call.tool_call_id == "call_note"
        stored = PausedRun(
            PendingToolCall.model_validate_json(paused.pending_tool_call.model_dump_json()),
            json.loads(json.dumps(paused.model_messages)),
        )

        resumed = await collect(get_agent_factory()(scope).resume(stored, approved=approved))

    assert isinstance(resumed[-1], RunFinished)
    notes = [n async for n in Note.objects.all()]
    assert len(notes) == (1 if approved else 0)
    told = f"Note {notes[0].pk} was added to the document." if approved else REJECTED
    assert content_of(resumed) == f"Understood: {told}"
    resumed_request = stub.received[-1].body["messages"]
    assert [m["role"] for m in resumed_request][-2:] == ["assistant", "tool"]
    assert resumed_request[-1]["tool_call_id"] == "call_note"


@pytest.mark.parametrize(
    ("status", "code"), [(500, "provider_error"), (429, "provider_rate_limited")]
)
async def test_provider_http_errors_fail_the_turn_with_stable_codes(
    owner: User,
    contracts: ContractCorpus,
    settings: SettingsWrapper,
    loopback_requests_only: None,
    status: int,
    code: str,
) -> None:
    async with openai_stub(lambda body: Reply(status=status)) as stub:
        configure(settings, stub)
        agent = get_agent_factory()(AgentScope(owner, None, ChatSubject(contracts.lease, None)))

        events = await collect(agent.run("Anything?"))

    assert isinstance(events[-1], RunFailed)
    assert events[-1].error_code == code


async def test_missing_provider_key_fails_the_turn_as_misconfigured(
    owner: User,
    contracts: ContractCorpus,
    settings: SettingsWrapper,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    settings.OC_LLM_MODEL = "openai:gpt-4o-mini"
    agent = get_agent_factory()(AgentScope(owner, None, ChatSubject(contracts.lease, None)))

    events = await collect(agent.run("Anything?"))

    assert events == [events[-1]]
    assert isinstance(events[-1], RunFailed)
    assert events[-1].error_code == "provider_config"
