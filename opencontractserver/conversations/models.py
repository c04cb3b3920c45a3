from django.conf import settings
from django.db import models

from opencontractserver.shared.models import Share, TimeStamped
from opencontractserver.shared.querysets import ChatMessageQuerySet, ConversationQuerySet


class Conversation(TimeStamped):
    """A chat about one document (optionally held inside a corpus) or about a whole corpus."""

    objects = ConversationQuerySet.as_manager()

    title = models.CharField(max_length=255, blank=True, default="")
    description = models.TextField(blank=True, default="")
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    chat_with_document = models.ForeignKey(
        "documents.Document",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conversations",
    )
    chat_with_corpus = models.ForeignKey(
        "corpuses.Corpus",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conversations",
    )
    # Summary of older turns, kept when the history outgrows the model's context budget.
    summary = models.TextField(blank=True, default="")
    summary_through_message_id = models.BigIntegerField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(chat_with_document__isnull=False)
                | models.Q(chat_with_corpus__isnull=False),
                name="conversation_has_a_subject",
            )
        ]

    def __str__(self) -> str:
        return self.title or f"Conversation {self.pk}"


class ConversationShare(Share):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="shares")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="unique_conversation_share_per_user"
            )
        ]


class MessageType(models.TextChoices):
    HUMAN = "HUMAN", "Human"
    LLM = "LLM", "LLM"
    SYSTEM = "SYSTEM", "System"


class MessageState(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    ERROR = "error", "Error"


class ChatMessage(TimeStamped):
    """One message of a conversation. `state` is the single truth about where a turn stands."""

    objects = ChatMessageQuerySet.as_manager()

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    msg_type = models.CharField(max_length=8, choices=MessageType.choices)
    content = models.TextField(blank=True, default="")
    state = models.CharField(
        max_length=20,
        choices=MessageState.choices,
        default=MessageState.COMPLETED,
        db_index=True,
    )
    # An LLM message's data is a message_data.LlmMessageData (read and written by the turn store).
    data = models.JSONField(default=dict, blank=True)
    # The pydantic-ai messages of this turn (ModelMessagesTypeAdapter), for history and approvals.
    model_messages = models.JSONField(default=list, blank=True)
    source_annotations = models.ManyToManyField(
        "annotations.Annotation", related_name="chat_messages", blank=True
    )
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chat_messages",
    )
    # Set by the client on a query so a resend after a reconnect is idempotent.
    client_id = models.UUIDField(null=True, blank=True)
    # The advisory-lock key of the server process running this turn (conversations/ownership.py);
    # a message left in_progress whose owner is gone is settled to error/interrupted.
    owner_key = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["conversation", "created"], name="message_conv_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "client_id"],
                condition=models.Q(client_id__isnull=False),
                name="unique_client_id_per_conversation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.msg_type} {self.pk} ({self.state})"
