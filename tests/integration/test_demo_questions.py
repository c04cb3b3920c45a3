"""The offline default answers questions about the demo contracts through the real WebSocket
application: searched, cited from the right document, streamed, saved and titled."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from channels.db import database_sync_to_async

from opencontractserver.conversations.models import Conversation, MessageState
from opencontractserver.llms.agents.offline import OFFLINE_LABEL
from opencontractserver.llms.agents.titles import offline_title
from tests.support.channels_thread import database_thread_blocked
from tests.support.demo_corpus import Demo
from tests.support.turn_tasks import turns_settled
from tests.support.websocket_client import connected, receive_turn, token_for

from .turn_checks import (
    assert_gap_free,
    assert_persisted_like_the_finish_frame,
    first_cited_source,
    sent_sources,
    streamed_text,
    types_of,
)

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True)
class Question:
    text: str
    source: str  # the demo file whose passage answers it
    answer: str  # text the first cited passage must contain


CORPUS_QUESTIONS = [
    Question("What is the monthly base rent for Suite 710?", "commercial_lease.md", "$28,700"),
    Question(
        "What is the annual base salary offered to Sofia Alvarez?",
        "employment_offer_letter.txt",
        "USD 172,000",
    ),
    Question("What is the unit price of part RW-4410?", "supply_agreement.md", "USD 4.85 per unit"),
    Question(
        "Which courts have jurisdiction over disputes under the Northwind NDA?",
        "mutual_nda.md",
        "courts of London",
    ),
    Question(
        "How long do confidentiality obligations survive under the NDA?",
        "mutual_nda.md",
        "survive for three (3) years after termination",
    ),
    Question(
        "What is the early termination fee in the lease?",
        "commercial_lease.md",
        "four (4) months of Base Rent",
    ),
]
DOCUMENT_QUESTIONS = [
    Question("How large is the security deposit?", "commercial_lease.md", "$86,100"),
    Question(
        "Within how many hours must a security breach be notified?",
        "saas_subscription_agreement.md",
        "seventy-two (72) hours",
    ),
    Question(
        "How many days of paid time off?",
        "employment_offer_letter.txt",
        "twenty (20) days of paid time off",
    ),
    # The PDF: its passages come from the rendered pages, not from the markdown.
    Question("What is the minimum annual volume?", "supply_agreement.md", "400,000 units"),
]


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces made single spaces."""
    return " ".join(text.split())


def quotation(line: str) -> str:
    """The quoted words of an answer line "- [Title, p. N: ]words [n]"."""
    return re.sub(r"^- (?:.+?, p\. \d+: )?", "", line).rsplit(" [", 1)[0]


async def ask(comm: Any, question: str) -> list[dict[str, Any]]:
    await comm.send_json_to({"query": question})
    return await receive_turn(comm)


async def assert_answered_from(
    frames: list[dict[str, Any]], demo: Demo, question: Question
) -> None:
    assert types_of(frames) == [
        "ASYNC_START",
        "ASYNC_THOUGHT",
        "ASYNC_THOUGHT",
        "ASYNC_SOURCES",
        "ASYNC_CONTENT",
        "ASYNC_FINISH",
    ], [f["type"] for f in frames]
    assert_gap_free(frames)
    call = frames[1]["data"]
    assert call["tool_name"] in ("search_document", "search_corpus") and call["args"]["query"]
    finish = frames[-1]
    assert finish["data"]["state"] == "completed"
    assert streamed_text(frames) == finish["content"]
    assert finish["data"]["sources"] == sent_sources(frames)
    timeline = finish["data"]["timeline"]
    assert [e["type"] for e in timeline] == ["tool_call", "tool_result", "sources"]
    assert [f["data"]["entry"] for f in frames[1:3]] == timeline[:2], "live == stored timeline"
    cited = first_cited_source(frames)
    expected = demo.document(question.source)
    assert (cited["document_id"], question.answer in flat(cited["rawText"])) == (
        expected.pk,
        True,
    ), (
        question.text,
        finish["content"],
    )
    assert question.answer in finish["content"]
    quoted = [quotation(line) for line in finish["content"].splitlines()[2:]]
    assert not [
        (a, b) for i, a in enumerate(quoted) for b in quoted[i + 1 :] if a in b or b in a
    ], f"overlapping passages quoted twice: {finish['content']!r}"
    await assert_persisted_like_the_finish_frame(finish, MessageState.COMPLETED)


@database_sync_to_async
def conversation_title(pk: int) -> str:
    return Conversation.objects.get(pk=pk).title


async def test_corpus_chat_answers_demo_questions_from_the_right_contracts(demo: Demo) -> None:
    comm, state = await connected(
        f"/ws/corpus/{demo.corpus.pk}/query/?token={token_for(demo.user)}"
    )
    assert state["data"]["model"] == OFFLINE_LABEL
    conversation_id = None
    for question in CORPUS_QUESTIONS:
        frames = await ask(comm, question.text)
        await assert_answered_from(frames, demo, question)
        assert frames[1]["data"]["tool_name"] == "search_corpus"
        conversation_id = conversation_id or frames[0]["data"]["conversation_id"]
        assert frames[0]["data"]["conversation_id"] == conversation_id
    await comm.disconnect()
    await turns_settled()
    assert conversation_id is not None
    assert await conversation_title(conversation_id) == offline_title(CORPUS_QUESTIONS[0].text)


async def test_document_chat_answers_demo_questions_from_that_document(demo: Demo) -> None:
    for question in DOCUMENT_QUESTIONS:
        document = demo.document(question.source)
        path = f"/ws/document/{document.pk}/query/?token={token_for(demo.user)}"
        comm, state = await connected(path)
        assert state["data"]["model"] == OFFLINE_LABEL
        assert state["data"]["conversation_id"] is None
        frames = await ask(comm, question.text)
        await assert_answered_from(frames, demo, question)
        assert frames[1]["data"]["tool_name"] == "search_document"
        assert {s["document_id"] for s in sent_sources(frames)} == {document.pk}
        await comm.disconnect()
        await turns_settled()
        conversation_id = frames[0]["data"]["conversation_id"]
        assert await conversation_title(conversation_id) == offline_title(question.text)


async def test_the_offline_agents_search_and_history_do_not_wait_for_channels_thread(
    demo: Demo,
) -> None:
    """A real agent's turn (history read, search tool, citation titles) while Channels' one
    database thread is blocked: all of it runs on the database lanes."""
    question = CORPUS_QUESTIONS[0]
    comm, _ = await connected(f"/ws/corpus/{demo.corpus.pk}/query/?token={token_for(demo.user)}")
    await assert_answered_from(await ask(comm, question.text), demo, question)
    follow_up = CORPUS_QUESTIONS[1]  # a second turn: the history of the first is read too
    async with database_thread_blocked() as released:
        await comm.send_json_to({"query": follow_up.text})
        frames = await receive_turn(comm)  # each frame within 5 s: well before the block ends
        assert not released.is_set(), "the whole turn ran while the thread was blocked"
    await assert_answered_from(frames, demo, follow_up)
    await comm.disconnect()
