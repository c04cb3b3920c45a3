"""Which model answers: a corpus's own `llm_model` overrides OC_LLM_MODEL, blank falls back."""

from __future__ import annotations

import pytest
from pydantic_ai.models.anthropic import AnthropicModel
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.models.test import TestModel
from pytest_django import Settings as SettingsWrapper

from opencontractserver.conversations.models import Conversation
from opencontractserver.conversations.subject import ChatSubject
from opencontractserver.llms.agents.events import AgentEvent, RunFinished, Thought
from opencontractserver.llms.agents.factory import for_corpus, for_document
from opencontractserver.llms.agents.interface import AgentScope, get_agent_factory
from opencontractserver.llms.agents.offline import OFFLINE_LABEL, OFFLINE_MODEL_NAME
from opencontractserver.llms.model_names import model_name_problem
from opencontractserver.users.models import User
from tests.support.contract_corpus import ContractCorpus

from .helpers import collect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys so providers can be built; nothing is sent (ALLOW_MODEL_REQUESTS is False)."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-used")


def first_thought(events: list[AgentEvent]) -> str:
    return next(event.text for event in events if isinstance(event, Thought))


async def test_corpus_chat_is_answered_by_the_corpus_model(
    owner: User, contracts: ContractCorpus, corpus_conversation: Conversation
) -> None:
    contracts.corpus.llm_model = "test"  # pydantic-ai's TestModel: calls every tool with "a"
    agent = get_agent_factory()(
        AgentScope(owner, corpus_conversation, ChatSubject(None, contracts.corpus))
    )

    assert agent.model_label == "test"
    events = await collect(agent.run("What is the rent?"))
    assert first_thought(events) == "Searching for “a”"


async def test_document_chat_inside_the_corpus_uses_the_corpus_model(
    owner: User, contracts: ContractCorpus, lease_conversation: Conversation
) -> None:
    contracts.corpus.llm_model = "test"
    agent = get_agent_factory()(
        AgentScope(owner, lease_conversation, ChatSubject(contracts.lease, contracts.corpus))
    )

    assert agent.model_label == "test"
    events = await collect(agent.run("What is the rent?"))
    assert first_thought(events) == "Searching for “a”"


async def test_blank_override_falls_back_to_the_setting(
    owner: User, contracts: ContractCorpus, corpus_conversation: Conversation
) -> None:
    contracts.corpus.llm_model = "  "
    agent = get_agent_factory()(
        AgentScope(owner, corpus_conversation, ChatSubject(None, contracts.corpus))
    )

    assert agent.model_label == OFFLINE_LABEL
    events = await collect(agent.run("What is the rent?"))
    assert isinstance(events[-1], RunFinished)
    assert "1,200 dollars" in "".join(str(event) for event in events)
    assert first_thought(events) != "Searching for “a”"


def test_document_chat_outside_a_corpus_uses_the_setting(
    owner: User, contracts: ContractCorpus, settings: SettingsWrapper, provider_keys: None
) -> None:
    settings.OC_LLM_MODEL = "anthropic:claude-sonnet-4-5"
    contracts.corpus.llm_model = "test"

    agent = for_document(contracts.lease, None, user=owner, conversation=None)

    assert agent.model_label == "anthropic:claude-sonnet-4-5"
    model = agent.model_factory()
    assert isinstance(model, AnthropicModel) and model.model_name == "claude-sonnet-4-5"


def test_override_is_built_from_its_provider_and_blank_builds_the_setting(
    owner: User, contracts: ContractCorpus, settings: SettingsWrapper, provider_keys: None
) -> None:
    settings.OC_LLM_MODEL = "openai:gpt-4o-mini"
    contracts.corpus.llm_model = "anthropic:claude-sonnet-4-5"
    overridden = for_corpus(contracts.corpus, user=owner, conversation=None)
    contracts.corpus.llm_model = ""
    default = for_corpus(contracts.corpus, user=owner, conversation=None)

    assert overridden.model_label == "anthropic:claude-sonnet-4-5"
    assert isinstance(overridden.model_factory(), AnthropicModel)
    assert default.model_label == "openai:gpt-4o-mini"
    built = default.model_factory()
    assert (built.system, built.model_name) == ("openai", "gpt-4o-mini")


def test_blank_override_with_no_setting_is_the_offline_model(
    owner: User, contracts: ContractCorpus
) -> None:
    agent = for_corpus(contracts.corpus, user=owner, conversation=None)

    assert agent.model_label == OFFLINE_LABEL
    assert agent.model_factory().model_name == OFFLINE_MODEL_NAME


def test_openai_override_is_served_by_the_configured_base_url(
    owner: User, contracts: ContractCorpus, settings: SettingsWrapper, provider_keys: None
) -> None:
    settings.OC_LLM_MODEL = "openai:small-model"
    settings.OC_LLM_BASE_URL = "http://127.0.0.1:9/v1"
    contracts.corpus.llm_model = "openai:big-model"
    served = for_corpus(contracts.corpus, user=owner, conversation=None)
    contracts.corpus.llm_model = "anthropic:claude-sonnet-4-5"
    elsewhere = for_corpus(contracts.corpus, user=owner, conversation=None)

    assert served.model_label == "big-model at http://127.0.0.1:9/v1"
    model = served.model_factory()
    assert isinstance(model, OpenAIChatModel) and model.model_name == "big-model"
    assert model.base_url == "http://127.0.0.1:9/v1/"
    assert elsewhere.model_label == "anthropic:claude-sonnet-4-5"
    assert isinstance(elsewhere.model_factory(), AnthropicModel)


def test_an_explicit_model_wins_over_the_corpus_override(
    owner: User, contracts: ContractCorpus
) -> None:
    contracts.corpus.llm_model = "anthropic:claude-sonnet-4-5"
    scripted = TestModel(custom_output_text="scripted")

    agent = for_corpus(contracts.corpus, user=owner, conversation=None, model=scripted)

    assert agent.model_label == "test" and agent.model_factory() is scripted


@pytest.mark.parametrize(
    "name",
    [
        "test",
        "openai:gpt-4o-mini",
        "anthropic:claude-sonnet-4-5",
        "ollama:llama3.1",
        "openai:my-ft",
    ],
)
def test_known_provider_prefixes_are_accepted(name: str) -> None:
    assert model_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "explains"),
    [
        ("gpt-4o-mini", "no provider prefix"),
        ("bogus:model-1", "'bogus' is not a provider"),
        ("openai:", "names no model"),
        ("google:gemini-2.5-pro", "client library that is not installed"),
    ],
)
def test_unresolvable_model_strings_are_explained(name: str, explains: str) -> None:
    problem = model_name_problem(name)
    assert problem is not None and explains in problem
