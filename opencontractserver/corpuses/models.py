from django.conf import settings
from django.db import models

from opencontractserver.shared.models import Share, TimeStamped
from opencontractserver.shared.querysets import CorpusQuerySet


class Corpus(TimeStamped):
    """A collection of documents that can be chatted with as a whole."""

    objects = CorpusQuerySet.as_manager()

    title = models.CharField(max_length=255)
    description = models.TextField(blank=True, default="")
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="corpuses"
    )
    is_public = models.BooleanField(default=False, db_index=True)
    documents = models.ManyToManyField("documents.Document", related_name="corpuses", blank=True)

    class Meta:
        verbose_name_plural = "corpuses"
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.title


class CorpusShare(Share):
    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="shares")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["corpus", "user"], name="unique_corpus_share_per_user")
        ]
