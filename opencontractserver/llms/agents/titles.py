"""A title for a new conversation, generated after its first turn.

The turn runner calls `title_new_conversation(conversation_id)` once the first answer is
complete. With a configured model it asks for a short title; offline (or if that fails) it makes
one from the first question. Its reads and its write (`conversations.services.
save_title_if_blank`) run in the background lane of the database threads (shared/db_threads.py):
never on Channels' one database thread, and only when no handshake or turn work is queued, one
title at a time. The offline model is built once per process, not per title.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from pydantic_ai import Agent
from pydantic_ai.models import Model

from opencontractserver.conversations.models import (
    ChatMessage,
    MessageState,
    MessageType,
)
from opencontractserver.conversations.services import save_title_if_blank
from opencontractserver.shared.db_threads import run_in_lane
from opencontractserver.shared.prepared_sql import (
    Fragment,
    compile_queryset,
    execute,
    sentinel_int,
)

from .model_config import ModelChoice, configured_choice
from .offline import OFFLINE_MODEL_NAME, offline_model

logger = logging.getLogger(__name__)
TITLE_MAX_CHARS = 60
DEFAULT_TITLE = "New conversation"
_POLITE_OPENINGS = re.compile(
    r"^(?:(?:hi|hello|hey|please|ok|okay|so)\b[,!.]?\s*)*"
    r"(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|i\s+(?:want|would like)\s+to\s+know\s+)?",
    re.I,
)


def offline_title(question: str) -> str:
    """A title made from the first question: its first sentence, trimmed, without pleasantries."""
    text = " ".join(question.split())
    text = _POLITE_OPENINGS.sub("", text)
    text = re.split(r"(?<=[.?!])\s", text, maxsplit=1)[0].rstrip(" ?.!:;,")
    if not text:
        return DEFAULT_TITLE
    text = text[0].upper() + text[1:]
    if len(text) <= TITLE_MAX_CHARS:
        return text
    cut = text[: TITLE_MAX_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


async def generate_title(question: str, answer: str = "", *, model: Model | None = None) -> str:
    if model is None or model.model_name == OFFLINE_MODEL_NAME:
        return offline_title(question)
    titler = Agent(
        model,
        name="conversation_titler",
        instructions=(
            "Write a title of at most six words for a conversation that starts with this "
            "question and answer. Reply with the title only, no quotes."
        ),
    )
    try:
        result = await titler.run(f"Question: {question}\n\nAnswer: {answer[:1500]}")
    except Exception:
        logger.exception("Title generation failed; using the question")
        return offline_title(question)
    title = " ".join(result.output.split()).strip("\"'“” ")
    return title[:TITLE_MAX_CHARS] or offline_title(question)


def _first_exchange_query(conversation_id: int) -> QuerySet[ChatMessage, tuple[Any, ...]]:
    """The first completed answer's conversation title, the question it replied to (not an
    earlier one whose turn was stopped or failed) and its text."""
    question = (
        ChatMessage.objects.filter(
            conversation_id=OuterRef("conversation_id"),
            msg_type=MessageType.HUMAN,
            id__lt=OuterRef("pk"),
        )
        .order_by("-created", "-id")
        .values("content")[:1]
    )
    return (
        ChatMessage.objects.filter(
            conversation_id=conversation_id,
            msg_type=MessageType.LLM,
            state=MessageState.COMPLETED,
        )
        .order_by("created", "id")
        .annotate(question=Subquery(question))
        .values_list("conversation__title", "question", "content")[:1]
    )


_CONVERSATION = sentinel_int("conversation_id", 0)


@functools.cache
def _first_exchange_statement() -> Fragment:
    """Compiled once (it runs after every answered turn)."""
    return compile_queryset(_first_exchange_query(_CONVERSATION.value), [_CONVERSATION], "first")


def _first_exchange(conversation_id: int) -> tuple[str, str, str] | None:
    """(current title, question, answer) of the first completed answer, or None if there is
    none yet (or no question before it). One query."""
    rows = execute(_first_exchange_statement(), {"conversation_id": conversation_id})
    if not rows or rows[0][1] is None:
        return None
    title, question, answer = rows[0]
    return str(title), str(question), str(answer)


@functools.cache
def _offline_title_model() -> Model:
    return offline_model()


def title_model(choice: ModelChoice) -> Model:
    """The model that writes titles for `choice` (the offline one is built once per process)."""
    if not choice.name:
        return _offline_title_model()
    return choice.build()


async def title_new_conversation(conversation_id: int, *, model: Model | None = None) -> str:
    """Give an untitled conversation a title from its first exchange; returns the title."""
    exchange = await run_in_lane("background", _first_exchange, conversation_id)
    if exchange is None:
        return ""
    current, question, answer = exchange
    if current:
        return current
    if model is None:
        try:
            model = title_model(configured_choice())
        except Exception:
            model = None
    title = await generate_title(question, answer, model=model)
    if await run_in_lane("background", save_title_if_blank, conversation_id, title):
        return title
    refreshed = await run_in_lane("background", _first_exchange, conversation_id)
    return refreshed[0] if refreshed else title
