"""Parsing client frames (PROTOCOL §3) into the models of config/websocket/protocol.py."""

from __future__ import annotations

import json

from django.conf import settings
from pydantic import BaseModel, ValidationError

from opencontractserver.conversations.chat_refusal import ChatRefusal
from opencontractserver.shared.text_input import first_text_problem

from .protocol import (
    ApprovalDecisionFrame,
    AuthFrame,
    ClientFrame,
    QueryFrame,
    ResumeStreamFrame,
    StopFrame,
)

_TYPED_FRAMES: dict[str, type[BaseModel]] = {
    "STOP": StopFrame,
    "RESUME_STREAM": ResumeStreamFrame,
    "AUTH": AuthFrame,
}


def parse_client_frame(text: str) -> ClientFrame | ChatRefusal:
    """The frame a text message carries, or why it is not one."""
    try:
        raw = json.loads(text)
    except RecursionError:
        return ChatRefusal("invalid_json", "The frame nests too deeply to be a frame.")
    except ValueError:
        return ChatRefusal("invalid_json", "Frames must be JSON text.")
    problem = first_text_problem(raw)
    if problem is not None and problem.kind == "nesting":
        return ChatRefusal("invalid_json", f"Invalid frame: {problem.describe()}.")
    if problem is not None:
        return ChatRefusal("invalid_frame", f"Invalid frame: {problem.describe()}.")
    if not isinstance(raw, dict):
        return ChatRefusal("unknown_frame", "A frame must be a JSON object.")
    model: type[BaseModel]
    if "type" in raw:
        found = _TYPED_FRAMES.get(raw["type"]) if isinstance(raw["type"], str) else None
        if found is None:
            return ChatRefusal("unknown_frame", f"Unknown frame type {raw['type']!r}.")
        model = found
    elif "query" in raw:
        model = QueryFrame
    elif "approval_decision" in raw:
        model = ApprovalDecisionFrame
    else:
        return ChatRefusal(
            "unknown_frame", "Unknown frame: expected query, approval_decision or type."
        )
    try:
        frame = model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        return ChatRefusal("invalid_frame", f"Invalid {model.__name__}: {problems}")
    assert isinstance(
        frame, QueryFrame | ApprovalDecisionFrame | StopFrame | ResumeStreamFrame | AuthFrame
    )
    return frame


def query_refusal(query: str) -> ChatRefusal | None:
    """Why a well-formed query is not asked: it is empty, or longer than OC_MAX_QUERY_CHARS."""
    if not query.strip():
        return ChatRefusal("empty_query", "The query is empty.")
    if len(query) > settings.OC_MAX_QUERY_CHARS:
        return ChatRefusal(
            "query_too_long", f"The query is longer than {settings.OC_MAX_QUERY_CHARS} characters."
        )
    return None
