"""Passages and vectors written through COPY (annotations/copy_rows.py) are the rows
`bulk_create` wrote: ids, timestamps, JSON, and one vector per passage and embedder."""

from __future__ import annotations

import pytest

from opencontractserver.annotations.copy_rows import copy_vectors, create_annotations
from opencontractserver.annotations.models import Annotation, PassageEmbedding
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User


def _passages(document: Document) -> list[Annotation]:
    return create_annotations(
        [
            Annotation(
                document=document,
                page=1,
                char_start=n,
                char_end=n + 4,
                raw_text="tab\there, back\\slash «bail» 🏠",
                json={"start": n, "end": n + 4},
                context="1. RENT",
                label="passage",
                structural=True,
            )
            for n in range(3)
        ]
    )


@pytest.mark.django_db(transaction=True)
def test_passages_and_vectors_are_stored_as_given_even_outside_a_transaction() -> None:
    owner = User.objects.create_user("copier")
    document = Document.objects.create(title="Lease", creator=owner, text="x" * 10)
    passages = _passages(document)
    copy_vectors(passages, [[0.5, -1.25, 3.0]] * 3, "test-embedder")

    stored = list(Annotation.objects.filter(document=document).order_by("pk"))
    assert [a.pk for a in stored] == [p.pk for p in passages]
    assert stored[0].raw_text == "tab\there, back\\slash «bail» 🏠"
    assert stored[2].json == {"start": 2, "end": 6}
    assert stored[0].created is not None and stored[0].creator_id is None
    vectors = PassageEmbedding.objects.filter(document=document).order_by("annotation_id")
    assert [(v.annotation_id, v.dimension, list(v.vector)) for v in vectors] == [
        (p.pk, 3, [0.5, -1.25, 3.0]) for p in passages
    ]


@pytest.mark.django_db
def test_a_passage_that_has_a_vector_from_the_embedder_keeps_it() -> None:
    owner = User.objects.create_user("copier")
    document = Document.objects.create(title="Lease", creator=owner, text="x" * 10)
    passages = _passages(document)
    copy_vectors(passages[:1], [[1.0, 0.0]], "test-embedder")
    copy_vectors(passages, [[0.0, 1.0]] * 3, "test-embedder")

    vectors = dict(
        PassageEmbedding.objects.filter(document=document).values_list("annotation_id", "vector")
    )
    assert list(vectors[passages[0].pk]) == [1.0, 0.0]
    assert list(vectors[passages[1].pk]) == [0.0, 1.0]
    assert len(vectors) == 3
