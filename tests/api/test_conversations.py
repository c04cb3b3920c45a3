"""Conversations: filters, ordering, messages, rename and soft delete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from opencontractserver.conversations.models import (
    ChatMessage,
    Conversation,
    MessageState,
    MessageType,
)
from opencontractserver.corpuses.models import Corpus
from opencontractserver.users.models import User
from tests.support.api_client import ApiClient
from tests.support.api_world import World

pytestmark = pytest.mark.django_db


def _conversation(world: World, title: str, days_ago: int, **subject: object) -> Conversation:
    conversation = Conversation.objects.create(
        title=title, creator=world.owner, **(subject or {"chat_with_document": world.document})
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        created=timezone.now() - timedelta(days=days_ago)
    )
    return conversation


@pytest.fixture
def history(world: World) -> dict[str, Conversation]:
    other_corpus = Corpus.objects.create(title="Other", creator=world.owner)
    return {
        "old": _conversation(world, "Deposit amount", 30),
        "mid": _conversation(world, "Termination rights", 10, chat_with_corpus=other_corpus),
        "new": _conversation(world, "Deposit refund", 1),
    }


def _ids(body: dict[str, object]) -> list[int]:
    items = body["items"]
    assert isinstance(items, list)
    return [item["id"] for item in items]


def test_list_is_newest_first(world: World, history: dict[str, Conversation]) -> None:
    body = ApiClient(world.owner).get("/api/conversations").json()
    assert _ids(body) == [
        world.conversation.pk,
        history["new"].pk,
        history["mid"].pk,
        history["old"].pk,
    ]


def test_filters_by_document_corpus_title_and_dates(
    world: World, history: dict[str, Conversation]
) -> None:
    client = ApiClient(world.owner)
    by_document = client.get("/api/conversations", {"document_id": world.document.pk}).json()
    assert _ids(by_document) == [world.conversation.pk, history["new"].pk, history["old"].pk]
    by_corpus = client.get("/api/conversations", {"corpus_id": world.corpus.pk}).json()
    assert _ids(by_corpus) == [world.conversation.pk]
    by_title = client.get("/api/conversations", {"search": "deposit"}).json()
    assert _ids(by_title) == [history["new"].pk, history["old"].pk]
    now = timezone.now()
    window = client.get(
        "/api/conversations",
        {
            "created_after": (now - timedelta(days=15)).isoformat(),
            "created_before": (now - timedelta(days=5)).isoformat(),
        },
    ).json()
    assert _ids(window) == [history["mid"].pk]
    recent = client.get(
        "/api/conversations", {"created_after": (now - timedelta(days=2)).isoformat()}
    ).json()
    assert _ids(recent) == [world.conversation.pk, history["new"].pk]


def test_bad_date_is_a_validation_error(world: World) -> None:
    response = ApiClient(world.owner).get("/api/conversations", {"created_after": "yesterday"})
    assert response.status_code == 422
    assert "created_after" in response.json()["message"]


def test_dates_with_any_iso_offset_are_compared_in_utc(world: World) -> None:
    """PostgreSQL refuses offsets beyond ±15:59; ISO 8601 allows up to ±23:59 (found by the
    HTTP fuzz suite as a server error)."""
    client = ApiClient(world.owner)
    far_offset = client.get("/api/conversations", {"created_after": "0725-12-01T23:17:44-21:06"})
    assert far_offset.status_code == 200
    assert _ids(far_offset.json()) == [world.conversation.pk]
    out_of_range = client.get("/api/conversations", {"created_before": "0001-01-01T00:00:00+23:00"})
    assert out_of_range.status_code == 422
    assert "created_before" in out_of_range.json()["message"]


def test_detail_shows_subject_and_message_count(world: World) -> None:
    body = ApiClient(world.owner).get(f"/api/conversations/{world.conversation.pk}").json()
    assert body["document_id"] == world.document.pk
    assert body["corpus_id"] == world.corpus.pk
    assert body["message_count"] == 1
    assert body["can_write"] is True


def test_messages_are_paged_oldest_first(world: World) -> None:
    for index in range(4):
        ChatMessage.objects.create(
            conversation=world.conversation,
            msg_type=MessageType.LLM if index % 2 == 0 else MessageType.HUMAN,
            content=f"message {index}",
            state=MessageState.COMPLETED,
            data={"sources": []},
        )
    client = ApiClient(world.reader)
    path = f"/api/conversations/{world.conversation.pk}/messages"
    first = client.get(path, {"page_size": 3}).json()
    second = client.get(path, {"page": 2, "page_size": 3}).json()
    assert first["count"] == 5
    contents = [m["content"] for m in first["items"] + second["items"]]
    assert contents == ["When is rent due?", "message 0", "message 1", "message 2", "message 3"]
    assert first["items"][1]["state"] == "completed"
    assert first["items"][1]["data"] == {"sources": []}


def test_rename_trims_and_refuses_blank_titles(world: World) -> None:
    client = ApiClient(world.writer)
    path = f"/api/conversations/{world.conversation.pk}"
    renamed = client.patch(path, {"title": "  Rent due date "})
    assert renamed.status_code == 200
    assert renamed.json()["title"] == "Rent due date"
    assert client.patch(path, {"title": ""}).status_code == 422


def test_soft_delete_hides_the_conversation_but_keeps_its_rows(world: World) -> None:
    owner = ApiClient(world.owner)
    path = f"/api/conversations/{world.conversation.pk}"
    assert owner.delete(path).status_code == 204
    for client in (owner, ApiClient(world.reader)):
        assert client.get(path).status_code == 404
        assert client.get(f"{path}/messages").status_code == 404
        assert client.get("/api/conversations").json()["count"] == 0
    assert owner.delete(path).status_code == 404
    kept = Conversation.objects.get(pk=world.conversation.pk)
    assert kept.deleted_at is not None
    assert kept.messages.count() == 1


def test_anonymous_users_have_no_conversations(world: World) -> None:
    response = ApiClient().get("/api/conversations")
    assert response.status_code == 401


def test_other_users_conversations_are_not_listed(world: World, stranger: User) -> None:
    Conversation.objects.create(title="Mine", creator=stranger, chat_with_document=world.document)
    assert ApiClient(world.owner).get("/api/conversations").json()["count"] == 1


def test_the_list_carries_the_start_of_each_conversations_first_question(world: World) -> None:
    untitled = Conversation.objects.create(creator=world.owner, chat_with_document=world.document)
    empty = Conversation.objects.create(creator=world.owner, chat_with_document=world.document)
    question = "What notice does the tenant owe before leaving? " * 10
    for content, kind in [
        (question, MessageType.HUMAN),
        ("An answer first written.", MessageType.LLM),
        ("A later question.", MessageType.HUMAN),
    ]:
        ChatMessage.objects.create(conversation=untitled, msg_type=kind, content=content)
    body = ApiClient(world.owner).get(f"/api/conversations?document_id={world.document.pk}").json()
    listed = {item["id"]: item for item in body["items"]}
    assert listed[untitled.pk]["first_question"] == question[:200]
    assert listed[empty.pk]["first_question"] is None
    detail = ApiClient(world.owner).get(f"/api/conversations/{untitled.pk}").json()
    assert detail["first_question"] == question[:200]


@pytest.mark.parametrize(
    ("value", "status"),
    [
        # Offsets beyond PostgreSQL's ±15:59 (a fuzz finding: it answered 500).
        ("0050-01-01T00:00:00-22:04", 200),
        ("2026-06-01T12:00:00+23:59", 200),
        # Years 0 and 10000 once in UTC.
        ("0001-01-01T00:00:00+05:00", 422),
        ("9999-12-31T23:59:59-05:00", 422),
    ],
)
def test_any_iso_date_filter_is_compared_in_utc_or_refused(
    world: World, value: str, status: int
) -> None:
    for name in ("created_after", "created_before"):
        response = ApiClient(world.owner).get("/api/conversations", {name: value})
        assert response.status_code == status, (name, response.content)
        if status == 422:
            assert response.json()["code"] == "validation_error"


def test_a_date_filter_with_an_offset_means_that_moment(world: World) -> None:
    created = world.conversation.created
    # The same moment written 14 h east of UTC: the conversation is at (not before) it.
    east = created.astimezone(timezone.get_fixed_timezone(14 * 60)).isoformat()
    client = ApiClient(world.owner)
    assert world.conversation.pk in _ids(
        client.get("/api/conversations", {"created_after": east}).json()
    )
    assert world.conversation.pk not in _ids(
        client.get("/api/conversations", {"created_before": east}).json()
    )
