"""Conversation history for the model, rebuilt from the database, with compaction.

A completed LLM ChatMessage stores its turn's pydantic-ai messages (tool calls and results
included) in `model_messages`; a turn without them (e.g. written by another agent) is rebuilt as
question + answer. A cancelled (STOPped) turn is replayed as its question and the partial answer
it had streamed, marked as interrupted, so that "continue" has something to continue from. When
the history is estimated above OC_HISTORY_TOKEN_BUDGET, the older turns
are summarised into `Conversation.summary` (through `summary_through_message_id`) and only the
recent turns are replayed; the summary goes into the instructions.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from pydantic_ai import Agent, ModelMessagesTypeAdapter
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, UserPromptPart
from pydantic_ai.models import Model

from opencontractserver.conversations.models import (
    ChatMessage,
    Conversation,
    MessageState,
    MessageType,
)
from opencontractserver.conversations.services import save_conversation_summary
from opencontractserver.shared.db_threads import run_for_turn

from .model_config import configured_model
from .offline import OFFLINE_MODEL_NAME, offline_model

logger = logging.getLogger(__name__)
CHARS_PER_TOKEN = 4
INTERRUPTED_NOTE = "[This answer was interrupted: the user stopped it before it was finished.]"


@dataclass
class HistoryTurn:
    question: str
    answer: str
    llm_message_id: int
    messages: list[ModelMessage]

    def estimated_tokens(self) -> int:
        return len(ModelMessagesTypeAdapter.dump_json(self.messages)) // CHARS_PER_TOKEN


@dataclass
class ConversationHistory:
    summary: str
    turns: list[HistoryTurn] = field(default_factory=list)

    @property
    def messages(self) -> list[ModelMessage]:
        return [message for turn in self.turns for message in turn.messages]

    def estimated_tokens(self) -> int:
        return len(self.summary) // CHARS_PER_TOKEN + sum(t.estimated_tokens() for t in self.turns)


def stored_history(conversation_id: int) -> ConversationHistory:
    """The completed and cancelled turns after the summary, oldest first."""
    conversation = Conversation.objects.get(pk=conversation_id)
    rows = ChatMessage.objects.filter(conversation_id=conversation_id).order_by("created", "id")
    if conversation.summary_through_message_id is not None:
        rows = rows.filter(id__gt=conversation.summary_through_message_id)
    history = ConversationHistory(summary=conversation.summary)
    question = ""
    for row in rows:
        if row.msg_type == MessageType.HUMAN:
            question = row.content
        elif row.msg_type == MessageType.LLM and row.state == MessageState.COMPLETED:
            history.turns.append(
                HistoryTurn(question, row.content, row.pk, _turn_messages(row, question))
            )
            question = ""
        elif row.msg_type == MessageType.LLM and row.state == MessageState.CANCELLED:
            answer = interrupted_answer(row.content)
            history.turns.append(
                HistoryTurn(question, answer, row.pk, _text_turn(question, answer))
            )
            question = ""
    return history


def interrupted_answer(partial: str) -> str:
    """What a cancelled turn's answer is replayed as: its partial text, marked as interrupted."""
    partial = partial.rstrip()
    return f"{partial}\n\n{INTERRUPTED_NOTE}" if partial else INTERRUPTED_NOTE


def _turn_messages(row: ChatMessage, question: str) -> list[ModelMessage]:
    if row.model_messages:
        try:
            return list(ModelMessagesTypeAdapter.validate_python(row.model_messages))
        except ValueError:
            logger.warning("ChatMessage %s has unreadable model_messages; using its text", row.pk)
    return _text_turn(question, row.content)


def _text_turn(question: str, answer: str) -> list[ModelMessage]:
    """A turn replayed as plain text: the question, then the answer (no tool calls: a cancelled
    run's stored messages may end in a call that never got its result)."""
    return [
        ModelRequest(parts=[UserPromptPart(question)]),
        ModelResponse(parts=[TextPart(answer)]),
    ]


async def history_for_turn(
    conversation: Conversation | None, model: Model
) -> tuple[list[ModelMessage], str]:
    """The messages to replay and the summary of older turns, compacting first if needed."""
    if conversation is None:
        return [], ""
    history = await run_for_turn(stored_history, conversation.pk)
    if history.estimated_tokens() > settings.OC_HISTORY_TOKEN_BUDGET and len(history.turns) > 1:
        await compact_conversation(conversation.pk, model, history)
        history = await run_for_turn(stored_history, conversation.pk)
    return history.messages, history.summary


async def compact_conversation(
    conversation_id: int, model: Model | None = None, history: ConversationHistory | None = None
) -> bool:
    """Summarise the older turns so the recent ones fit in half the budget. True if it did.

    `model` defaults to the configured one (offline: an extractive summary)."""
    if model is None:
        try:
            model = configured_model()
        except Exception:
            model = offline_model()
    if history is None:
        history = await run_for_turn(stored_history, conversation_id)
    keep_budget = settings.OC_HISTORY_TOKEN_BUDGET // 2
    kept_count, kept_tokens = 0, 0
    for turn in reversed(history.turns):
        tokens = turn.estimated_tokens()
        if kept_count and kept_tokens + tokens > keep_budget:
            break
        kept_count, kept_tokens = kept_count + 1, kept_tokens + tokens
    older = history.turns[: len(history.turns) - kept_count]
    if not older:
        return False
    summary = await summarise_turns(history.summary, older, model)
    return bool(
        await run_for_turn(
            save_conversation_summary, conversation_id, summary, older[-1].llm_message_id
        )
    )


async def summarise_turns(previous: str, turns: list[HistoryTurn], model: Model) -> str:
    """A summary of `previous` + `turns`: by the model, or extractive offline or on failure."""
    extractive = _extractive_summary(previous, turns)
    if model.model_name == OFFLINE_MODEL_NAME:
        return extractive
    transcript = "\n".join(f"User: {t.question}\nAssistant: {t.answer}" for t in turns)
    summariser = Agent(
        model,
        name="history_summariser",
        instructions=(
            "Summarise this conversation about documents in at most 200 words: the questions, "
            "the answers' key facts, and any changes made. Keep names, numbers and dates."
        ),
    )
    try:
        result = await summariser.run(
            f"Earlier summary:\n{previous}\n\nConversation:\n{transcript}"
        )
    except Exception:
        logger.exception("Summarising the history failed; keeping an extractive summary")
        return extractive
    return result.output.strip() or extractive


def _extractive_summary(previous: str, turns: list[HistoryTurn]) -> str:
    lines = [previous] if previous else []
    for turn in turns:
        first = re.split(r"(?<=[.!?])\s+", " ".join(turn.answer.split()), maxsplit=1)[0]
        lines.append(f"- Asked: {turn.question[:200]} Answered: {first[:300]}")
    return "\n".join(lines)
