"""Assertions about one whole turn as the client saw it and as the database kept it."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from opencontractserver.conversations.models import ChatMessage
from opencontractserver.llms.agents.citations import cited_numbers

Frame = dict[str, Any]


def types_of(frames: list[Frame]) -> list[str]:
    """Frame types with runs of ASYNC_CONTENT collapsed into one."""
    collapsed: list[str] = []
    for frame in frames:
        if not (collapsed and collapsed[-1] == frame["type"] == "ASYNC_CONTENT"):
            collapsed.append(frame["type"])
    return collapsed


def streamed_text(frames: list[Frame]) -> str:
    return "".join(f["content"] for f in frames if f["type"] == "ASYNC_CONTENT")


def sent_sources(frames: list[Frame]) -> list[dict[str, Any]]:
    return [s for f in frames if f["type"] == "ASYNC_SOURCES" for s in f["data"]["sources"]]


def assert_gap_free(frames: list[Frame], first: int = 1) -> None:
    assert [f["data"]["seq"] for f in frames] == list(range(first, first + len(frames)))
    assert len({f["data"]["message_id"] for f in frames}) == 1


def assert_citations_refer_to_sent_sources(frames: list[Frame]) -> list[int]:
    """Every [n] of the answer names a source sent earlier in the turn; returns the numbers."""
    answer = frames[-1]["content"]
    numbers = cited_numbers(answer)
    assert numbers, f"the answer cites nothing: {answer!r}"
    assert all(1 <= n <= len(sent_sources(frames)) for n in numbers), (numbers, answer)
    return numbers


def first_cited_source(frames: list[Frame]) -> dict[str, Any]:
    return sent_sources(frames)[assert_citations_refer_to_sent_sources(frames)[0] - 1]


@database_sync_to_async
def stored_message(pk: int) -> tuple[ChatMessage, list[int]]:
    """The LLM message and the ids of its source annotations."""
    message = ChatMessage.objects.get(pk=pk)
    return message, sorted(message.source_annotations.values_list("pk", flat=True))


async def assert_persisted_like_the_finish_frame(finish: Frame, state: str) -> ChatMessage:
    message, annotation_ids = await stored_message(finish["data"]["message_id"])
    assert message.state == state
    assert message.content == finish["content"]
    assert message.data["sources"] == finish["data"]["sources"]
    assert message.data["timeline"] == finish["data"]["timeline"]
    assert message.data["last_seq"] == finish["data"]["seq"]
    assert annotation_ids == sorted({s["annotation_id"] for s in finish["data"]["sources"]})
    return message
