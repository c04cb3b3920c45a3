"""A changed OC_EMBEDDER is detected: `migrate` and `manage.py check` name the reembed command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from pydantic_ai import Embedder
from pydantic_ai.embeddings import TestEmbeddingModel

from opencontractserver.annotations.checks import (
    STALE_VECTORS,
    UNLOADABLE_EMBEDDER,
    passages_lack_the_configured_embedders_vectors,
)
from opencontractserver.annotations.embedding_store import reembed_missing
from opencontractserver.documents.ingestion import ingest_document
from opencontractserver.llms import embeddings as embeddings_module
from opencontractserver.llms.embeddings import PassageEmbedder, get_embedder
from tests.support.made_files import MakeDocument

LEASE = "The tenant pays rent monthly.\n\nEither party may end the lease with notice."
OTHER = PassageEmbedder(name="test:eight", embedder=Embedder(TestEmbeddingModel(dimensions=8)))


@pytest.mark.django_db
def test_a_changed_embedder_is_reported_until_reembed_has_run(
    make_document: MakeDocument, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_document(make_document(LEASE.encode(), "lease.txt").pk)
    old_name = get_embedder().name
    assert passages_lack_the_configured_embedders_vectors(databases=["default"]) == []

    monkeypatch.setattr(embeddings_module, "_embedder_for", lambda setting: OTHER)
    [warning] = passages_lack_the_configured_embedders_vectors(databases=["default"])

    assert warning.id == STALE_VECTORS
    assert warning.msg.startswith("1 passages have no vector from the configured embedder test:")
    assert f"(they have vectors from {old_name})" in warning.msg
    assert "manage.py reembed" in str(warning.hint)
    reembed_missing(OTHER)
    assert passages_lack_the_configured_embedders_vectors(databases=["default"]) == []


@pytest.mark.django_db
def test_migrate_prints_the_warning(
    make_document: MakeDocument, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_document(make_document(LEASE.encode(), "lease.txt").pk)
    monkeypatch.setattr(embeddings_module, "_embedder_for", lambda setting: OTHER)
    err = io.StringIO()

    call_command("migrate", verbosity=0, skip_checks=False, stdout=io.StringIO(), stderr=err)

    assert STALE_VECTORS in err.getvalue() and "manage.py reembed" in err.getvalue()


@pytest.mark.django_db
def test_the_check_is_silent_without_the_database_and_says_when_the_embedder_cannot_load(
    make_document: MakeDocument, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_document(make_document(LEASE.encode(), "lease.txt").pk)

    def unloadable(setting: str) -> PassageEmbedder:
        raise RuntimeError("needs the optional extra")

    monkeypatch.setattr(embeddings_module, "_embedder_for", unloadable)
    assert passages_lack_the_configured_embedders_vectors(databases=None) == []
    [warning] = passages_lack_the_configured_embedders_vectors(databases=["default"])
    assert warning.id == UNLOADABLE_EMBEDDER and "needs the optional extra" in warning.msg
