"""Fixtures of the agent suite: the contract corpus (tests/support/contract_corpus.py), its
conversations, and the offline model at full speed."""

from __future__ import annotations

import pytest
from pytest_django import Settings as SettingsWrapper

from opencontractserver.conversations.models import Conversation
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.support.contract_corpus import LEASE, NDA, ContractCorpus, make_document


@pytest.fixture
def contracts(owner: User) -> ContractCorpus:
    corpus = Corpus.objects.create(title="Acme contracts", creator=owner)
    lease = make_document(owner, "Residential lease", LEASE)
    nda = make_document(owner, "Mutual NDA", NDA)
    corpus.documents.add(lease, nda)
    return ContractCorpus(corpus, lease, nda)


@pytest.fixture
def strangers_document(stranger: User) -> Document:
    return make_document(
        stranger, "Stranger's secret lease", [(1, "The secret rent is 9,999 dollars monthly.")]
    )


@pytest.fixture
def lease_conversation(owner: User, contracts: ContractCorpus) -> Conversation:
    return Conversation.objects.create(creator=owner, chat_with_document=contracts.lease)


@pytest.fixture
def corpus_conversation(owner: User, contracts: ContractCorpus) -> Conversation:
    return Conversation.objects.create(creator=owner, chat_with_corpus=contracts.corpus)


@pytest.fixture(autouse=True)
def fast_offline_model(settings: SettingsWrapper, close_worker_thread_connections: None) -> None:
    """The offline model at full speed, and no worker-thread connection left after a test."""
    settings.OC_OFFLINE_TOKENS_PER_SECOND = 0
    settings.OC_LLM_MODEL = ""
    settings.OC_LLM_BASE_URL = ""
