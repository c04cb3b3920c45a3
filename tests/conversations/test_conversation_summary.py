"""The summary write (conversations/services.py, called after a compaction in
llms/agents/history.py): its check, and that a summary only ever moves forward."""

from __future__ import annotations

import pytest

from opencontractserver.conversations.models import ChatMessage, Conversation, MessageType
from opencontractserver.conversations.services import save_conversation_summary
from opencontractserver.documents.models import Document
from opencontractserver.shared.refusals import Refused
from opencontractserver.users.models import User


def _answers(conversation: Conversation, count: int) -> list[ChatMessage]:
    return [
        ChatMessage.objects.create(conversation=conversation, msg_type=MessageType.LLM, content="a")
        for _ in range(count)
    ]


def test_a_summary_moves_forward_and_never_back(owner: User, private_document: Document) -> None:
    conversation = Conversation.objects.create(creator=owner, chat_with_document=private_document)
    first, second = _answers(conversation, 2)

    assert save_conversation_summary(conversation.pk, "up to the second", second.pk) is True
    assert save_conversation_summary(conversation.pk, "up to the first", first.pk) is False

    conversation.refresh_from_db()
    assert (conversation.summary, conversation.summary_through_message_id) == (
        "up to the second",
        second.pk,
    )


def test_a_summary_through_another_conversations_message_is_refused(
    owner: User, private_document: Document
) -> None:
    conversation, other = (
        Conversation.objects.create(creator=owner, chat_with_document=private_document)
        for _ in range(2)
    )
    (elsewhere,) = _answers(other, 1)

    with pytest.raises(Refused) as refused:
        save_conversation_summary(conversation.pk, "wrong", elsewhere.pk)
    assert refused.value.code == "invalid"
    with pytest.raises(Refused) as missing:
        save_conversation_summary(0, "nowhere", elsewhere.pk)
    assert missing.value.code == "not_found"

    conversation.refresh_from_db()
    assert (conversation.summary, conversation.summary_through_message_id) == ("", None)
