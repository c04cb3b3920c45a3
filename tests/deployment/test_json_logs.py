"""LOG_FORMAT=json (config/logging_json.py): one JSON object per line and event."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from config.logging_json import JsonFormatter
from config.websocket.session_log import SessionLog


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.json_logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def events(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_chat_lines_carry_the_session_and_message_ids_as_fields_and_in_the_text(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    log = SessionLog(logger, "ab12cd34")
    log.info(17, "turn started (conversation %s)", 3)
    log.warning(None, "refused frame: %s", "empty_query")
    started, refused = events(stream)
    assert started["message"] == "session=ab12cd34 message=17 turn started (conversation 3)"
    assert (started["session"], started["message_id"]) == ("ab12cd34", 17)
    assert started["level"] == "INFO" and started["logger"] == "tests.json_logs"
    assert refused["session"] == "ab12cd34" and "message_id" not in refused
    assert refused["level"] == "WARNING"


def test_a_traceback_stays_on_the_line_of_its_event(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    try:
        raise RuntimeError("the database went away")
    except RuntimeError:
        SessionLog(logger, "ffff0000").exception(5, "turn task failed")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    (event,) = events(stream)
    assert event["level"] == "ERROR" and event["message_id"] == 5
    assert "RuntimeError: the database went away" in str(event["exception"])


def test_other_lines_have_no_chat_fields(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.info("listening on %s", "0.0.0.0:8000")
    (event,) = events(stream)
    assert event["message"] == "listening on 0.0.0.0:8000"
    assert set(event) == {"time", "level", "logger", "message"}
    assert str(event["time"]).endswith("+00:00")
