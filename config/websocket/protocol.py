"""The chat wire protocol: the one source of truth (see docs/architecture/websocket/protocol.md).

Every frame the server sends and every frame a client may send is a pydantic model here. The JSON
schema and the TypeScript types of the frontend are generated from these models. The domain values
the frames carry (Source, TimelineEntry, PendingToolCall, Usage) live with their areas and are
composed here; the transport depends on the domain, never the reverse.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from opencontractserver.annotations.sources import Source
from opencontractserver.conversations.chat_refusal import ChatRefusalCode
from opencontractserver.conversations.message_data import (
    MessageStateValue,
    PendingToolCall,
    TimelineEntry,
    TurnErrorCode,
    Usage,
)

# --- Client -> server frames (PROTOCOL §3) ---------------------------------------------------


class _ClientFrame(BaseModel):
    """Unknown extra keys are ignored, so older and newer clients interoperate."""

    model_config = ConfigDict(extra="ignore")


class QueryFrame(_ClientFrame):
    """Start a turn; `client_id` makes a resend after a reconnect idempotent."""

    query: StrictStr
    client_id: UUID | None = None


class ApprovalDecisionFrame(_ClientFrame):
    """Approve (true) or reject (false) the tool call an LLM message is waiting on."""

    approval_decision: StrictBool
    llm_message_id: StrictInt


class StopFrame(_ClientFrame):
    """Cancel the running turn on the server."""

    type: Literal["STOP"]
    message_id: StrictInt


class ResumeStreamFrame(_ClientFrame):
    """Replay every frame of a turn after `after_seq`, then follow it live."""

    type: Literal["RESUME_STREAM"]
    message_id: StrictInt
    after_seq: StrictInt = Field(default=0, ge=0)


class AuthFrame(_ClientFrame):
    """Swap in a fresh access token for the same user without reconnecting."""

    type: Literal["AUTH"]
    token: StrictStr


ClientFrame = QueryFrame | ApprovalDecisionFrame | StopFrame | ResumeStreamFrame | AuthFrame


# --- Server -> client frames (PROTOCOL §4) ---------------------------------------------------

RefusalCode = ChatRefusalCode
"""The `error_code` of SYNC_CONTENT: why a client frame was refused (see chat_refusal.py)."""

ErrorCode = ChatRefusalCode | TurnErrorCode | Literal["rate_limited"]
"""Every stable, machine-readable error code of SYNC_CONTENT (RefusalCode), ASYNC_ERROR
(TurnErrorCode) and RATE_LIMITED: a closed set, so clients can switch over it exhaustively."""


class _ServerModel(BaseModel):
    """Server output always carries every field, so the schema marks defaulted fields required."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


TurnState = MessageStateValue
"""A turn's state on the wire: exactly the states of its LLM ChatMessage."""


class FrameUser(_ServerModel):
    id: int
    username: str


class PendingApproval(_ServerModel):
    message_id: int
    pending_tool_call: PendingToolCall


class TurnStamp(_ServerModel):
    """Carried by every frame of a turn: the LLM message id (0 for anonymous chats) and its seq."""

    message_id: int
    seq: int


class SyncStateData(_ServerModel):
    conversation_id: int | None
    user: FrameUser | None
    active_message_id: int | None = None
    last_seq: int | None = None
    pending_approval: PendingApproval | None = None
    model: str


class AsyncStartData(TurnStamp):
    conversation_id: int | None
    user_message_id: int


class AsyncThoughtData(TurnStamp):
    tool_name: str | None = None
    args: dict[str, Any] | None = None
    entry: TimelineEntry


class AsyncContentData(TurnStamp):
    pass


class AsyncSourcesData(TurnStamp):
    sources: list[Source]


class ApprovalNeededData(TurnStamp):
    pending_tool_call: PendingToolCall


class ApprovalResultData(TurnStamp):
    decision: Literal["approved", "rejected"]
    pending_tool_call: PendingToolCall


class AsyncResumeData(TurnStamp):
    pass


class AsyncFinishData(TurnStamp):
    state: Literal["completed", "cancelled"]
    sources: list[Source] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)


class AsyncErrorData(TurnStamp):
    error: str
    error_code: TurnErrorCode


class SyncContentData(_ServerModel):
    """Answer to one client frame: `error`/`error_code` when it was refused."""

    error: str | None = None
    error_code: RefusalCode | None = None
    message_id: int | None = None
    token_expires_at: str | None = None


class RateLimitedData(_ServerModel):
    error: str
    error_code: Literal["rate_limited"] = "rate_limited"
    retry_after: int


class SyncStateFrame(_ServerModel):
    type: Literal["SYNC_STATE"] = "SYNC_STATE"
    content: str = ""
    data: SyncStateData


class AsyncStartFrame(_ServerModel):
    type: Literal["ASYNC_START"] = "ASYNC_START"
    content: str = ""
    data: AsyncStartData


class AsyncThoughtFrame(_ServerModel):
    type: Literal["ASYNC_THOUGHT"] = "ASYNC_THOUGHT"
    content: str
    data: AsyncThoughtData


class AsyncContentFrame(_ServerModel):
    type: Literal["ASYNC_CONTENT"] = "ASYNC_CONTENT"
    content: str
    data: AsyncContentData


class AsyncSourcesFrame(_ServerModel):
    type: Literal["ASYNC_SOURCES"] = "ASYNC_SOURCES"
    content: str = ""
    data: AsyncSourcesData


class AsyncApprovalNeededFrame(_ServerModel):
    type: Literal["ASYNC_APPROVAL_NEEDED"] = "ASYNC_APPROVAL_NEEDED"
    content: str = ""
    data: ApprovalNeededData


class AsyncApprovalResultFrame(_ServerModel):
    type: Literal["ASYNC_APPROVAL_RESULT"] = "ASYNC_APPROVAL_RESULT"
    content: str = ""
    data: ApprovalResultData


class AsyncResumeFrame(_ServerModel):
    type: Literal["ASYNC_RESUME"] = "ASYNC_RESUME"
    content: str = ""
    data: AsyncResumeData


class AsyncFinishFrame(_ServerModel):
    type: Literal["ASYNC_FINISH"] = "ASYNC_FINISH"
    content: str
    data: AsyncFinishData


class AsyncErrorFrame(_ServerModel):
    type: Literal["ASYNC_ERROR"] = "ASYNC_ERROR"
    content: str = ""
    data: AsyncErrorData


class SyncContentFrame(_ServerModel):
    type: Literal["SYNC_CONTENT"] = "SYNC_CONTENT"
    content: str = ""
    data: SyncContentData


class RateLimitedFrame(_ServerModel):
    type: Literal["RATE_LIMITED"] = "RATE_LIMITED"
    content: str = ""
    data: RateLimitedData


TurnFrame = (
    AsyncStartFrame
    | AsyncThoughtFrame
    | AsyncContentFrame
    | AsyncSourcesFrame
    | AsyncApprovalNeededFrame
    | AsyncApprovalResultFrame
    | AsyncResumeFrame
    | AsyncFinishFrame
    | AsyncErrorFrame
)
"""The frames of a turn: each carries `data.message_id` and `data.seq`."""

ServerFrame = Annotated[
    SyncStateFrame | TurnFrame | SyncContentFrame | RateLimitedFrame,
    Field(discriminator="type"),
]

TERMINAL_FRAME_TYPES = frozenset({"ASYNC_FINISH", "ASYNC_ERROR", "ASYNC_APPROVAL_NEEDED"})
"""After one of these the turn's task has ended (a decision may start a new task)."""


def frame_to_wire(frame: BaseModel) -> dict[str, Any]:
    """The JSON-ready dict of a server frame (aliases applied, e.g. Source.json)."""
    return frame.model_dump(mode="json", by_alias=True)
