from django.conf import settings
from django.db import models

from opencontractserver.llms.model_names import validate_model_name
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
    llm_model = models.CharField(
        max_length=200,
        blank=True,
        default="",
        validators=[validate_model_name],
        help_text=(
            "The pydantic-ai model that answers chats about this corpus and its documents "
            "(e.g. anthropic:claude-sonnet-4-5); blank uses the OC_LLM_MODEL setting."
        ),
    )

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
