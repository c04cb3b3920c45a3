from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from pgvector.django import VectorField

from opencontractserver.shared.models import TimeStamped
from opencontractserver.shared.querysets import DocumentChildQuerySet


class Annotation(TimeStamped):
    """A passage of a document: what citations point at and what the viewer highlights.

    `raw_text == document.text[char_start:char_end]`. For PDFs `json` holds the passage's word boxes
    per page (page coordinates plus page size); for text documents it holds `{start, end}`.
    Structural annotations are made by ingestion (the chunks that retrieval searches); the others
    are made by people or by the agent. Search columns (embedding, tsvector) live beside this table
    so that several embedders can coexist.
    """

    objects = DocumentChildQuerySet.as_manager()

    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="annotations"
    )
    page = models.PositiveIntegerField(default=1)
    char_start = models.PositiveIntegerField()
    char_end = models.PositiveIntegerField()
    raw_text = models.TextField()
    json = models.JSONField(default=dict, blank=True)
    label = models.CharField(max_length=128, blank=True, default="")
    structural = models.BooleanField(default=False, db_index=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="annotations",
    )
    # The heading the passage sits under (structural passages; annotations/passage_context.py):
    # embedded and indexed with the passage, never part of its text or offsets.
    context = models.CharField(max_length=200, blank=True, default="")
    # Full-text side of hybrid search: kept by PostgreSQL itself, never written by Python.
    search_vector = models.GeneratedField(
        expression=SearchVector("raw_text", "context", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["document_id", "char_start", "id"]
        indexes = [
            models.Index(fields=["document", "page"], name="annotation_document_page"),
            GinIndex(fields=["search_vector"], name="annotation_search_vector"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(char_end__gte=models.F("char_start")),
                name="annotation_span_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id}:{self.char_start}-{self.char_end}"


class PassageEmbedding(models.Model):
    """The vector of one passage as computed by one embedder.

    Several embedders can coexist (while re-embedding, or to compare them): search only compares a
    query vector with vectors of the same `embedder` and `dimension`. The column has no fixed
    dimension; approximate search uses one partial HNSW index per dimension over
    `vector::vector(<dimension>)` (see annotations.vector_indexes). `document` is copied from the
    annotation so that scoping a search needs no join.
    """

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="embeddings")
    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="passage_embeddings"
    )
    embedder = models.CharField(max_length=200)
    dimension = models.PositiveIntegerField()
    vector = VectorField()

    class Meta:
        indexes = [
            models.Index(fields=["embedder", "document"], name="embedding_embedder_document"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["annotation", "embedder"], name="one_embedding_per_passage_and_embedder"
            ),
            models.CheckConstraint(
                condition=models.Q(dimension=models.Func("vector", function="vector_dims")),
                name="embedding_dimension_matches_vector",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.embedder}:{self.annotation_id}"


class Note(TimeStamped):
    """A free-text note attached to a document (written by a person or, with approval, an agent)."""

    objects = DocumentChildQuerySet.as_manager()

    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="notes"
    )
    title = models.CharField(max_length=255, blank=True, default="")
    content = models.TextField()
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="notes"
    )

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title or self.content[:40]
