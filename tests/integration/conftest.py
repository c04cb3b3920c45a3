"""The real parts together: the default agent factory behind the real WebSocket application,
on the embedded Postgres, with the demo corpus ingested by the real pipeline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django import Settings as SettingsWrapper

from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.seeding import DEMO_CORPUS_TITLE, DEMO_DOCUMENTS
from opencontractserver.users.models import User
from tests.support.agent_factories import DEFAULT_AGENT_FACTORY
from tests.support.channel_layer import fresh_in_memory_channel_layer
from tests.support.demo_corpus import Demo
from tests.support.turn_tasks import turns_settled


@pytest.fixture(autouse=True)
async def real_agents(
    release_owner_key_at_end: None, close_worker_thread_connections: None
) -> AsyncIterator[None]:
    """The default agent factory (never a scripted one), offline and at full speed unless a
    test says otherwise, on a fresh in-memory channel layer. Turn tasks outlive their sockets
    (titles are written after ASYNC_FINISH): they all settle before the test ends."""
    with fresh_in_memory_channel_layer(
        OC_AGENT_FACTORY=DEFAULT_AGENT_FACTORY,
        OC_OFFLINE_TOKENS_PER_SECOND=0,
        OC_LLM_MODEL="",
        OC_LLM_BASE_URL="",
        OC_LLM_API_KEY="",
    ):
        yield
        await turns_settled()


@pytest.fixture
def demo(settings: SettingsWrapper, tmp_path: Path) -> Demo:
    """`manage.py seed_demo`: the five demo contracts, ingested and embedded offline."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    user = User.objects.get(username=settings.OC_DEMO_USERNAME)
    corpus = Corpus.objects.get(creator=user, title=DEMO_CORPUS_TITLE)
    by_title = {d.title: d for d in corpus.documents.all()}
    documents = {demo.source: by_title[demo.title] for demo in DEMO_DOCUMENTS}
    assert all(d.status == "ready" for d in documents.values())
    return Demo(user, corpus, documents)
