from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models

from opencontractserver.shared.models import Share, TimeStamped
from opencontractserver.shared.querysets import DocumentQuerySet


class IngestionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Document(TimeStamped):
    """An uploaded file and the text extracted from it."""

    objects = DocumentQuerySet.as_manager()

    title = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="")
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    mime_type = models.CharField(max_length=100, default="text/plain")
    page_count = models.PositiveIntegerField(default=1)
    text = models.TextField(blank=True, default="")
    content_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    summary = models.TextField(blank=True, default="")
    status = models.CharField(
        max_length=16,
        choices=IngestionStatus.choices,
        default=IngestionStatus.PENDING,
        db_index=True,
    )
    status_reason = models.TextField(blank=True, default="")
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents"
    )
    is_public = models.BooleanField(default=False, db_index=True)
    # The title's words, kept by PostgreSQL itself: search matches a query against the titles
    # in scope through its GIN index (annotations/named_documents.py).
    title_search_vector = models.GeneratedField(
        expression=SearchVector("title", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [GinIndex(fields=["title_search_vector"], name="document_title_search")]

    def __str__(self) -> str:
        return self.title


class DocumentShare(Share):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="shares")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "user"], name="unique_document_share_per_user"
            )
        ]
