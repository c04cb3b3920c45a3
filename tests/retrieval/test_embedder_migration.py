"""Migration 0005: the offline embedder's v1 vectors are replaced by v2 vectors."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from opencontractserver.annotations.models import Annotation, PassageEmbedding
from opencontractserver.documents.models import Document
from opencontractserver.llms.embeddings import get_embedder, hashed_ngram_vector
from opencontractserver.users.models import User

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("annotations", "0004_passage_vector_indexes")]
AFTER = [("annotations", "0005_offline_embedder_v2")]


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_existing_offline_vectors_are_re_embedded_with_the_current_model(owner: User) -> None:
    text = "The Tenant shall pay rent monthly."
    document = Document.objects.create(title="Lease", creator=owner, text=text)
    passage = Annotation.objects.create(
        document=document, page=1, char_start=0, char_end=len(text), raw_text=text, structural=True
    )
    other = [0.5] * 384
    migrate(BEFORE)
    try:
        for name, vector in (("offline:hashed-ngrams-v1", [1.0] + [0.0] * 383), ("x:y", other)):
            PassageEmbedding.objects.create(
                annotation=passage, document=document, embedder=name, dimension=384, vector=vector
            )
    finally:
        migrate(AFTER)

    stored = {e.embedder: [float(x) for x in e.vector] for e in passage.embeddings.all()}
    assert get_embedder().name == "offline:hashed-ngrams-v2"
    assert stored.keys() == {"offline:hashed-ngrams-v2", "x:y"}
    assert stored["offline:hashed-ngrams-v2"] == pytest.approx(hashed_ngram_vector(text))
    assert stored["x:y"] == other
