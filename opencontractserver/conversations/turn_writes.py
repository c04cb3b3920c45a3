"""The statements of a running turn's writes, compiled once from the ORM (shared/prepared_sql.py):
a checkpoint of the text, and the final write's lock-and-read and update. The turn store
(turn_store.py) decides what they write; here is only how, without compiling SQL per call.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from django.utils import timezone

from opencontractserver.shared.prepared_sql import (
    Fragment,
    compile_queryset,
    compile_update,
    db_value,
    execute,
    json_sentinel,
    sentinel_datetime,
    sentinel_int,
    text_sentinel,
)

from .models import ChatMessage, MessageState

_ID = sentinel_int("message_id", 0)
_CONTENT = text_sentinel("content")
_MODIFIED = sentinel_datetime("modified", 0)
_STATE = text_sentinel("state")
_DATA = json_sentinel("data")
_MODEL_MESSAGES = json_sentinel("model_messages")


@functools.cache
def _checkpoint() -> Fragment:
    return compile_update(
        ChatMessage.objects.filter(pk=_ID.value, state=MessageState.IN_PROGRESS),
        {"content": _CONTENT, "modified": _MODIFIED},
        [_ID, _CONTENT, _MODIFIED],
        "checkpoint",
    )


def write_checkpoint(message_id: int, content: str) -> None:
    """Save the text of a running turn (a no-op once the turn is no longer `in_progress`)."""
    execute(
        _checkpoint(), {"message_id": message_id, "content": content, "modified": timezone.now()}
    )


@functools.cache
def _locked_data() -> Fragment:
    return compile_queryset(
        ChatMessage.objects.select_for_update().filter(pk=_ID.value).values("data"),
        [_ID],
        "locked",
    )


def lock_message_data(message_id: int) -> dict[str, Any] | None:
    """The LLM message's `data`, its row locked until the transaction ends (None: no message)."""
    rows = execute(_locked_data(), {"message_id": message_id})
    if not rows:
        return None
    raw = rows[0][0]
    data: dict[str, Any] = json.loads(raw) if isinstance(raw, str) else raw
    return data


@functools.cache
def _final_update(with_model_messages: bool, releases_owner: bool) -> Fragment:
    values: dict[str, Any] = {
        "state": _STATE,
        "content": _CONTENT,
        "data": _DATA,
        "modified": _MODIFIED,
    }
    sentinels = [_ID, _STATE, _CONTENT, _DATA, _MODIFIED]
    if with_model_messages:
        values["model_messages"] = _MODEL_MESSAGES
        sentinels.append(_MODEL_MESSAGES)
    if releases_owner:
        values["owner_key"] = None
    return compile_update(ChatMessage.objects.filter(pk=_ID.value), values, sentinels, "final")


def update_message(
    message_id: int,
    *,
    state: MessageState,
    content: str,
    data: dict[str, Any],
    model_messages: list[dict[str, Any]] | None,
    releases_owner: bool,
) -> None:
    """Write a turn's state, text and data (and its model messages, when given); with
    `releases_owner` the message no longer names the process that ran it."""
    values: dict[str, Any] = {
        "message_id": message_id,
        "state": str(state),
        "content": content,
        "data": db_value(ChatMessage, "data", data),
        "modified": timezone.now(),
    }
    if model_messages is not None:
        values["model_messages"] = db_value(ChatMessage, "model_messages", model_messages)
    execute(_final_update(model_messages is not None, releases_owner), values)
