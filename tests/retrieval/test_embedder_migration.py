"""Migrations 0005 and 0006: the offline embedder's vectors are re-embedded (v1 -> v2, then v2 ->
v2 with the passage's context), other embedders' vectors are left alone, headings are filled in."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from opencontractserver.annotations.models import Annotation, PassageEmbedding
from opencontractserver.annotations.passage_context import embedding_text
from opencontractserver.documents.models import Document
from opencontractserver.llms.embeddings import HashedNgramEmbeddingModel, hashed_ngram_vector
from opencontractserver.users.models import User

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("annotations", "0004_passage_vector_indexes")]
AFTER = [("annotations", "0005_offline_embedder_v2")]
LATEST = [("annotations", "0006_passage_context")]


def migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate to `targets`; the models as they are there (historical models)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


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
    try:
        stored = {e.embedder: [float(x) for x in e.vector] for e in passage.embeddings.all()}
    finally:
        migrate(LATEST)

    assert HashedNgramEmbeddingModel().model_name == "hashed-ngrams-v2"
    assert stored.keys() == {"offline:hashed-ngrams-v2", "x:y"}
    assert stored["offline:hashed-ngrams-v2"] == pytest.approx(hashed_ngram_vector(text))
    assert stored["x:y"] == other


def test_passages_get_their_heading_and_offline_vectors_their_context(owner: User) -> None:
    text = "# Lease\n\n## 4. Rent\n\nThe Tenant shall pay rent monthly."
    document = Document.objects.create(title="Flat lease", creator=owner, text=text)
    start = text.index("The Tenant")
    other = [0.5] * 384
    before = migrate(AFTER)
    try:
        old_passage = before.get_model("annotations", "Annotation").objects.create(
            document_id=document.pk, page=1, char_start=start, char_end=len(text),
            raw_text=text[start:], structural=True,
        )  # fmt: skip
        for name, vector in (("offline:hashed-ngrams-v2", [1.0] + [0.0] * 383), ("x:y", other)):
            before.get_model("annotations", "PassageEmbedding").objects.create(
                annotation_id=old_passage.pk, document_id=document.pk, embedder=name,
                dimension=384, vector=vector,
            )  # fmt: skip
    finally:
        migrate(LATEST)

    passage = Annotation.objects.get(pk=old_passage.pk)
    stored = {e.embedder: [float(x) for x in e.vector] for e in passage.embeddings.all()}
    assert passage.context == "4. Rent"
    assert passage.raw_text == text[start:] and passage.char_start == start
    assert stored.keys() == {"offline:hashed-ngrams-v2+context-v1", "x:y"}
    expected = hashed_ngram_vector(embedding_text("Flat lease", "4. Rent", passage.raw_text))
    assert stored["offline:hashed-ngrams-v2+context-v1"] == pytest.approx(expected)
    assert stored["x:y"] == other
    # The heading is in the full-text index, beside the passage's own words.
    assert Annotation.objects.filter(pk=passage.pk, search_vector="rent").exists()
