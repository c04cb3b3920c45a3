"""SYNC_STATE.model names the corpus's own model (`Corpus.llm_model`) when it has one."""

from __future__ import annotations

import pytest
from django.test import override_settings

from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.llms.agents.offline import OFFLINE_LABEL
from opencontractserver.users.models import User
from tests.support.websocket_client import connected, token_for

pytestmark = pytest.mark.django_db(transaction=True)

REAL_FACTORY = "opencontractserver.llms.agents.factory.build_agent"


@override_settings(OC_AGENT_FACTORY=REAL_FACTORY, OC_LLM_MODEL="", OC_LLM_BASE_URL="")
async def test_sync_state_shows_the_corpus_model_for_corpus_and_document_chats(
    owner: User, private_corpus: Corpus, private_document: Document
) -> None:
    await Corpus.objects.filter(pk=private_corpus.pk).aupdate(llm_model="anthropic:claude-x")
    token = token_for(owner)
    corpus_path = f"/ws/corpus/{private_corpus.pk}/query/?token={token}"
    inside_path = (
        f"/ws/document/{private_document.pk}/query/corpus/{private_corpus.pk}/?token={token}"
    )
    alone_path = f"/ws/document/{private_document.pk}/query/?token={token}"

    for path, expected in [
        (corpus_path, "anthropic:claude-x"),
        (inside_path, "anthropic:claude-x"),
        (alone_path, OFFLINE_LABEL),
    ]:
        comm, state = await connected(path)
        assert state["data"]["model"] == expected, path
        await comm.disconnect()
