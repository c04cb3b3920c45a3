"""The agents' search embeds the query in async code: with a slow (remote) embedder, the one
database thread of `database_sync_to_async` stays free for every other socket's writes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.test import AsyncClient
from pydantic_ai import Embedder
from pydantic_ai.embeddings import (
    EmbeddingModel,
    EmbeddingResult,
    EmbeddingSettings,
)
from pydantic_ai.embeddings.result import EmbedInputType

from opencontractserver.annotations import search as search_module
from opencontractserver.annotations.search import search_passages, search_passages_async
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.llms.embeddings import (
    HashedNgramEmbeddingModel,
    PassageEmbedder,
    get_embedder,
)
from opencontractserver.users.models import User

from .test_search import CLAUSES, ingest_text

pytestmark = pytest.mark.django_db(transaction=True)


class GatedEmbeddingModel(EmbeddingModel):
    """Stands in for a remote embedder: every request waits until the test opens the gate (as a
    slow network call would), then answers with the offline model's vectors."""

    def __init__(self) -> None:
        super().__init__()
        self.offline = HashedNgramEmbeddingModel()
        self.requested = threading.Event()
        self.gate = threading.Event()

    @property
    def model_name(self) -> str:
        return self.offline.model_name

    @property
    def system(self) -> str:
        return self.offline.system

    async def embed(
        self,
        inputs: str | Sequence[str],
        *,
        input_type: EmbedInputType,
        settings: EmbeddingSettings | None = None,
    ) -> EmbeddingResult:
        self.requested.set()
        await asyncio.get_running_loop().run_in_executor(None, self.gate.wait, 30)
        return await self.offline.embed(inputs, input_type=input_type, settings=settings)

    async def max_input_tokens(self) -> int | None:
        return None


def _clause_corpus(owner: User) -> Corpus:
    corpus = Corpus.objects.create(title="Clauses", creator=owner)
    for title, text in CLAUSES.items():
        corpus.documents.add(ingest_text(owner, title, text))
    return corpus


@pytest.fixture
async def gated(
    owner: User, monkeypatch: pytest.MonkeyPatch, close_worker_thread_connections: None
) -> tuple[Corpus, GatedEmbeddingModel]:
    corpus = await sync_to_async(_clause_corpus)(owner)
    model = GatedEmbeddingModel()
    blocking = PassageEmbedder(name=get_embedder().name, embedder=Embedder(model))
    monkeypatch.setattr(search_module, "get_embedder", lambda: blocking)
    return corpus, model


async def _database_thread_answers(within: float) -> int:
    return await asyncio.wait_for(database_sync_to_async(Document.objects.count)(), within)


async def test_while_the_query_is_embedded_the_database_thread_serves_others(
    owner: User, gated: tuple[Corpus, GatedEmbeddingModel]
) -> None:
    corpus, model = gated
    search = asyncio.create_task(
        search_passages_async(owner, "monthly rent", corpus_id=corpus.pk, limit=3)
    )
    assert await asyncio.to_thread(model.requested.wait, 10)

    assert await _database_thread_answers(within=10) == len(CLAUSES)
    assert not search.done()

    model.gate.set()
    sources = await search
    titles = await database_sync_to_async(
        lambda: [Document.objects.get(pk=s.document_id).title for s in sources]
    )()
    assert titles[0] == "rent"


async def test_the_synchronous_search_on_the_database_thread_would_hold_it(
    owner: User, gated: tuple[Corpus, GatedEmbeddingModel]
) -> None:
    """Why the tools must not call `search_passages` through database_sync_to_async."""
    corpus, model = gated
    search = asyncio.create_task(
        database_sync_to_async(search_passages)(owner, "monthly rent", corpus_id=corpus.pk)
    )
    assert await asyncio.to_thread(model.requested.wait, 10)

    with pytest.raises(TimeoutError):
        await _database_thread_answers(within=0.5)

    model.gate.set()
    assert await search


async def test_the_search_endpoint_embeds_the_query_off_the_database_thread(
    owner: User, gated: tuple[Corpus, GatedEmbeddingModel]
) -> None:
    """GET /api/search under ASGI: while a slow embedder answers, the one thread that sync views
    and `database_sync_to_async` share keeps serving others, and the response follows."""
    corpus, model = gated
    client = AsyncClient()
    await client.aforce_login(owner)
    request = asyncio.create_task(
        client.get("/api/search", {"q": "monthly rent", "corpus": str(corpus.pk), "limit": "3"})
    )
    assert await asyncio.to_thread(model.requested.wait, 10)

    assert await _database_thread_answers(within=10) == len(CLAUSES)
    assert not request.done()

    model.gate.set()
    response = await request
    assert response.status_code == 200
    rent = await database_sync_to_async(Document.objects.get)(title="rent")
    assert response.json()[0]["document_id"] == rent.pk
