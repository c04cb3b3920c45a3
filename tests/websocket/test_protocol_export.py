"""The protocol has one source of truth: the committed schema and TypeScript types must match the
pydantic models, and every frame the server sends validates against them."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from config.websocket import protocol_export
from config.websocket.protocol import TurnState
from config.websocket.protocol_export import (
    SCHEMA_FILE,
    TYPESCRIPT_FILE,
    ProtocolDrift,
    check_protocol_files,
    protocol_schema_json,
    protocol_typescript,
)
from opencontractserver.conversations.models import MessageState


def test_committed_typescript_and_schema_match_the_models() -> None:
    assert SCHEMA_FILE.read_text() == protocol_schema_json(), "run `make protocol`"
    assert TYPESCRIPT_FILE.read_text() == protocol_typescript(), "run `make protocol`"


def test_export_check_fails_when_the_files_drift(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / "protocol.ts"
    stale.write_text("export type Old = string;\n")
    monkeypatch.setattr(protocol_export, "TYPESCRIPT_FILE", stale)
    with pytest.raises(ProtocolDrift, match="stale"):
        check_protocol_files()
    assert protocol_export.main(["--check"]) == 1


def test_typescript_names_every_frame_and_marks_server_fields_required() -> None:
    text = protocol_typescript()
    for name in ("QueryFrame", "StopFrame", "ResumeStreamFrame", "AuthFrame", "AsyncFinishFrame"):
        assert f"export interface {name} " in text
    assert "export type ClientFrame = QueryFrame | ApprovalDecisionFrame" in text
    assert '  type: "ASYNC_CONTENT";' in text
    assert "  client_id?: string | null;" in text
    assert protocol_export.protocol_schema()["$defs"]["Source"]["properties"]["json"]


def test_the_wire_turn_state_is_exactly_the_message_states() -> None:
    assert sorted(get_args(TurnState)) == sorted(MessageState.values)
    assert 'export type TurnState = "in_progress" | "awaiting_approval"' in protocol_typescript()


def test_error_codes_are_closed_unions_in_the_typescript() -> None:
    """Clients can switch over every error code: no frame carries a bare string code."""
    text = protocol_typescript()
    assert 'export type RefusalCode = "invalid_json" | ' in text
    assert 'export type TurnErrorCode = "provider_error" | ' in text
    assert "error_code: string" not in text
    assert "  error_code: " + '"provider_error" | ' in text  # ASYNC_ERROR's data
