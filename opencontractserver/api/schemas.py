"""Request and response shapes of the HTTP API (they generate the OpenAPI document)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from ninja import Field, Schema
from pydantic import AfterValidator

from opencontractserver.api.errors import ErrorCode
from opencontractserver.conversations.models import Conversation
from opencontractserver.llms.model_names import model_name_problem

T = TypeVar("T")

SharePermissionName = Literal["read", "write"]


class ErrorOut(Schema):
    code: ErrorCode = Field(description="Stable, machine-readable error code.")
    message: str = Field(description="Human-readable explanation.")


# The error responses every endpoint may give (documented in OpenAPI).
ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- Paging: the one shape of every list --------------------------------------------------------


class PageParams(Schema):
    page: int = Field(1, ge=1, description="1-based page number.")
    page_size: int = Field(20, ge=1, le=100, description="Items per page (1-100).")


class Page(Schema, Generic[T]):
    items: list[T]
    count: int = Field(description="Total number of items across all pages.")
    page: int
    page_size: int


# --- Auth -----------------------------------------------------------------------------------------


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    access: str = Field(description="Signed JWT; send it as 'Authorization: Bearer <access>'.")
    expires_at: datetime


class UserOut(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str


class DemoLoginOut(Schema):
    username: str
    password: str


class SessionOut(Schema):
    user: UserOut | None = Field(description="The signed-in user, or null.")
    demo_login: DemoLoginOut | None = Field(
        description="The demo login to show on the sign-in page (only while DEBUG is on)."
    )


# --- Corpora -------------------------------------------------------------------------------------


class CorpusFilters(PageParams):
    search: str = Field("", max_length=200, description="Case-insensitive title search.")


def _checked_model_name(name: str) -> str:
    name = name.strip()
    problem = model_name_problem(name) if name else None
    if problem is not None:
        raise ValueError(problem)
    return name


# A pydantic-ai model string checked offline (known provider prefix); "" means OC_LLM_MODEL.
LlmModelName = Annotated[
    str,
    Field(
        max_length=200,
        description=(
            "The pydantic-ai model for chats about this corpus and its documents, e.g. "
            "'anthropic:claude-sonnet-4-5'; empty uses the server's OC_LLM_MODEL."
        ),
    ),
    AfterValidator(_checked_model_name),
]


class CorpusIn(Schema):
    title: str = Field(min_length=1, max_length=255)
    description: str = ""
    is_public: bool = False
    llm_model: LlmModelName = ""


class CorpusPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=255)
    description: str | None = None
    is_public: bool | None = None
    llm_model: LlmModelName | None = None


class CorpusOut(Schema):
    id: int
    title: str
    description: str
    is_public: bool
    llm_model: str
    creator: str
    document_count: int
    can_write: bool
    created: datetime
    modified: datetime

    @staticmethod
    def resolve_creator(obj: Any) -> str:
        return str(obj.creator.username)


class CorpusDocumentsIn(Schema):
    document_ids: list[int] = Field(min_length=1, max_length=500)


class ShareIn(Schema):
    username: str
    permission: SharePermissionName = "read"


class ShareOut(Schema):
    username: str
    permission: SharePermissionName
    created: datetime

    @staticmethod
    def resolve_username(obj: Any) -> str:
        return str(obj.user.username)


# --- Documents -----------------------------------------------------------------------------------


class DocumentFilters(PageParams):
    corpus_id: int | None = Field(None, description="Only documents of this corpus.")
    search: str = Field("", max_length=200, description="Case-insensitive title search.")


class DocumentOut(Schema):
    id: int
    title: str
    description: str
    summary: str = Field(description="The stored summary (an agent may set it, with approval).")
    mime_type: str
    page_count: int
    status: str = Field(description="Ingestion status: pending, ready or failed.")
    status_reason: str
    content_hash: str
    is_public: bool
    creator: str
    can_write: bool
    created: datetime
    modified: datetime

    @staticmethod
    def resolve_creator(obj: Any) -> str:
        return str(obj.creator.username)


class DocumentTextOut(Schema):
    id: int
    status: str
    page_count: int
    text: str


class AnnotationFilters(PageParams):
    on_page: int | None = Field(None, ge=1, description="Only annotations on this page.")
    structural: bool | None = Field(None, description="Only structural (or only other) ones.")


class AnnotationOut(Schema):
    id: int
    document_id: int
    page: int
    char_start: int
    char_end: int
    raw_text: str
    json_data: dict[str, Any] | list[Any] = Field(alias="json")
    label: str
    structural: bool
    created: datetime


class NoteOut(Schema):
    id: int
    document_id: int
    title: str
    content: str
    creator: str | None = Field(description="Who wrote it (an agent's note: who approved it).")
    created: datetime

    @staticmethod
    def resolve_creator(obj: Any) -> str | None:
        return str(obj.creator.username) if obj.creator is not None else None


# --- Conversations -------------------------------------------------------------------------------


def _in_utc(value: datetime) -> datetime:
    """The moment in UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows, and a
    moment outside the years 1-9999 once in UTC is not a date we can compare with."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the date is out of range once converted to UTC") from None


# A date filter: any ISO 8601 date-time, compared as its moment in UTC.
DateFilter = Annotated[datetime, AfterValidator(_in_utc)]


class ConversationFilters(PageParams):
    document_id: int | None = Field(None, description="Only conversations about this document.")
    corpus_id: int | None = Field(None, description="Only conversations held in this corpus.")
    search: str = Field("", max_length=200, description="Case-insensitive title search.")
    created_after: DateFilter | None = Field(None, description="Created at or after (ISO 8601).")
    created_before: DateFilter | None = Field(None, description="Created before (ISO 8601).")


class ConversationOut(Schema):
    id: int
    title: str
    description: str
    document_id: int | None
    corpus_id: int | None
    creator: str
    message_count: int
    first_question: str | None = Field(
        description="The start of the conversation's first question (its title until it has one)."
    )
    can_write: bool
    created: datetime
    modified: datetime

    @staticmethod
    def resolve_creator(obj: Any) -> str:
        return str(obj.creator.username)

    @staticmethod
    def resolve_document_id(obj: Conversation) -> int | None:
        return obj.chat_with_document_id

    @staticmethod
    def resolve_corpus_id(obj: Conversation) -> int | None:
        return obj.chat_with_corpus_id


class ConversationPatch(Schema):
    title: str = Field(min_length=1, max_length=255)


class MessageOut(Schema):
    id: int
    conversation_id: int
    msg_type: str = Field(description="HUMAN, LLM or SYSTEM.")
    content: str
    state: str = Field(description="in_progress, awaiting_approval, completed, cancelled, error.")
    data: dict[str, Any] = Field(description="sources, timeline, usage, pending_tool_call, error.")
    creator: str | None
    created: datetime
    modified: datetime

    @staticmethod
    def resolve_creator(obj: Any) -> str | None:
        return None if obj.creator is None else str(obj.creator.username)
