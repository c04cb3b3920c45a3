from django.conf import settings
from django.db import models

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

    class Meta:
        ordering = ["document_id", "char_start", "id"]
        indexes = [models.Index(fields=["document", "page"], name="annotation_document_page")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(char_end__gte=models.F("char_start")),
                name="annotation_span_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_id}:{self.char_start}-{self.char_end}"


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
