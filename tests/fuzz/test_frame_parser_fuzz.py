"""Fuzzing the WebSocket frame parser: whatever the text, the answer is a frame or the protocol's
refusal, never an exception, and a frame that passes holds only text PostgreSQL can store."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings

from config.websocket.frames import parse_client_frame
from config.websocket.protocol import QueryFrame
from opencontractserver.conversations.chat_refusal import ChatRefusal
from opencontractserver.shared.text_input import first_text_problem

from .strategies import FRAME_TEXTS

REFUSAL_CODES = {"invalid_json", "unknown_frame", "invalid_frame"}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FRAME_TEXTS)
def test_any_text_parses_to_a_frame_or_a_refusal(text: str) -> None:
    result = parse_client_frame(text)
    if isinstance(result, ChatRefusal):
        assert result.error_code in REFUSAL_CODES
        assert result.error
        result.error.encode("utf-8")  # the refusal itself can be sent
        json.dumps({"error": result.error})
        return
    assert first_text_problem(result.model_dump(mode="json")) is None
    if isinstance(result, QueryFrame):
        result.query.encode("utf-8")
        assert "\x00" not in result.query
