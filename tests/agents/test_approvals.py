"""Approval-gated writes: pause, approve, reject, and a decision taken by a fresh agent."""

from __future__ import annotations

import json

import pytest
from pydantic_ai.messages import ModelMessage, ToolReturnPart

from opencontractserver.annotations.models import Annotation, Note
from opencontractserver.conversations.message_data import PendingToolCall
from opencontractserver.conversations.models import Conversation
from opencontractserver.documents.models import Document
from opencontractserver.llms.agents.agent_run import turn_start
from opencontractserver.llms.agents.events import ApprovalNeeded, RunFailed, RunFinished
from opencontractserver.llms.agents.factory import for_document
from opencontractserver.llms.agents.interface import PausedRun
from opencontractserver.llms.agents.pause import REJECTED
from opencontractserver.llms.tools.approvals import WRITE_TOOLS
from opencontractserver.llms.tools.corpus_tools import corpus_tools
from opencontractserver.llms.tools.document_writes import document_write_tools
from opencontractserver.shared.models import SharePermission
from opencontractserver.users.models import User
from tests.support.contract_corpus import ContractCorpus

from .helpers import Call, Step, collect, content_of, scripted, sources_of, thoughts_of

pytestmark = pytest.mark.django_db(transaction=True)

NOTE_SCRIPT: list[Step] = [
    Call("search_document", {"query": "late fee"}),
    Call("add_document_note", {"content": "Check the late fee [1]", "title": "Late fee"}),
    "All done.",
]


def stored(paused: ApprovalNeeded) -> PausedRun:
    """What the runner persists and reads back: JSON through the database."""
    return PausedRun(
        pending_tool_call=PendingToolCall.model_validate(
            json.loads(paused.pending_tool_call.model_dump_json())
        ),
        model_messages=json.loads(json.dumps(paused.model_messages)),
    )


async def test_a_write_tool_pauses_the_turn_before_writing(
    owner: User, contracts: ContractCorpus, lease_conversation: Conversation
) -> None:
    agent = for_document(
        contracts.lease, user=owner, conversation=lease_conversation, model=scripted(NOTE_SCRIPT)
    )

    events = await collect(agent.run("Note the late fee"))

    paused = events[-1]
    assert isinstance(paused, ApprovalNeeded)
    assert paused.pending_tool_call.name == "add_document_note"
    assert paused.pending_tool_call.arguments == {
        "content": "Check the late fee [1]",
        "title": "Late fee",
    }
    assert not any(isinstance(e, RunFinished) for e in events)
    assert await Note.objects.acount() == 0


async def test_approval_after_a_restart_runs_the_tool_once_and_finishes_the_turn(
    owner: User, contracts: ContractCorpus, lease_conversation: Conversation
) -> None:
    before = await collect(
        for_document(
            contracts.lease,
            user=owner,
            conversation=lease_conversation,
            model=scripted(NOTE_SCRIPT),
        ).run("Note the late fee")
    )
    paused = before[-1]
    assert isinstance(paused, ApprovalNeeded)
    sent_before = sources_of(before)

    fresh = for_document(
        contracts.lease, user=owner, conversation=lease_conversation, model=scripted(NOTE_SCRIPT)
    )
    after = await collect(fresh.resume(stored(paused), approved=True))

    finished = after[-1]
    assert isinstance(finished, RunFinished)
    note = await Note.objects.aget()
    assert (note.content, note.title, note.document_id) == (
        "Check the late fee [1]",
        "Late fee",
        contracts.lease.pk,
    )
    assert content_of(after).strip() == "All done."
    results = [t for t in thoughts_of(after) if t.entry.type == "tool_result"]
    assert results[0].text == f"Note {note.pk} was added to the document."
    assert not [t for t in thoughts_of(after) if t.entry.type == "tool_call"]  # announced before
    assert sources_of(after) == []  # sent before the pause, numbering kept
    assert len(sent_before) >= 1
    from pydantic_ai import ModelMessagesTypeAdapter

    turn = ModelMessagesTypeAdapter.validate_python(finished.model_messages)
    assert turn_start(list(turn)) == 0  # the whole turn, from its question
    assert finished.usage.requests == 3


async def test_rejection_tells_the_model_which_finishes_without_writing(
    owner: User, contracts: ContractCorpus, lease_conversation: Conversation
) -> None:
    seen: list[list[ModelMessage]] = []
    before = await collect(
        for_document(
            contracts.lease,
            user=owner,
            conversation=lease_conversation,
            model=scripted(NOTE_SCRIPT),
        ).run("Note the late fee")
    )
    paused = before[-1]
    assert isinstance(paused, ApprovalNeeded)

    agent = for_document(
        contracts.lease,
        user=owner,
        conversation=lease_conversation,
        model=scripted(NOTE_SCRIPT, seen=seen),
    )
    after = await collect(agent.resume(stored(paused), approved=False))

    assert isinstance(after[-1], RunFinished)
    assert await Note.objects.acount() == 0
    told = [p for p in seen[-1][-1].parts if isinstance(p, ToolReturnPart)]
    assert told[0].content == REJECTED
    assert content_of(after).strip() == "All done."


async def test_a_reader_is_told_no_without_being_asked_for_approval(
    reader: User, contracts: ContractCorpus
) -> None:
    await contracts.lease.shares.acreate(user=reader, permission=SharePermission.READ)
    agent = for_document(
        contracts.lease,
        user=reader,
        conversation=None,
        model=scripted([Call("add_document_note", {"content": "x"}), "Could not."]),
    )

    events = await collect(agent.run("add a note: x"))

    assert isinstance(events[-1], RunFinished)
    assert not any(isinstance(e, ApprovalNeeded) for e in events)
    assert await Note.objects.acount() == 0


async def test_annotation_for_exact_text_is_created_on_its_page(
    owner: User, contracts: ContractCorpus
) -> None:
    script: list[Step] = [
        Call("add_annotation", {"exact_text": "sixty days written notice"}),
        "Marked.",
    ]
    paused = (
        await collect(
            for_document(
                contracts.lease, user=owner, conversation=None, model=scripted(script)
            ).run("highlight")
        )
    )[-1]
    assert isinstance(paused, ApprovalNeeded)

    after = await collect(
        for_document(contracts.lease, user=owner, conversation=None, model=scripted(script)).resume(
            stored(paused), approved=True
        )
    )

    assert isinstance(after[-1], RunFinished)
    annotation = await Annotation.objects.aget(structural=False)
    document = await Document.objects.aget(pk=contracts.lease.pk)
    assert document.text[annotation.char_start : annotation.char_end] == "sixty days written notice"
    assert annotation.page == 2


async def test_summary_update_for_an_unknown_call_id_is_refused(
    owner: User, contracts: ContractCorpus
) -> None:
    script: list[Step] = [Call("update_document_summary", {"summary": "A lease."}), "Updated."]
    paused = (
        await collect(
            for_document(
                contracts.lease, user=owner, conversation=None, model=scripted(script)
            ).run("set the summary")
        )
    )[-1]
    assert isinstance(paused, ApprovalNeeded)
    forged = stored(paused)
    forged = PausedRun(
        pending_tool_call=forged.pending_tool_call.model_copy(update={"tool_call_id": "forged"}),
        model_messages=forged.model_messages,
    )

    after = await collect(
        for_document(contracts.lease, user=owner, conversation=None, model=scripted(script)).resume(
            forged, approved=True
        )
    )

    assert isinstance(after[-1], RunFailed)
    assert after[-1].error_code == "approval_mismatch"
    document = await Document.objects.aget(pk=contracts.lease.pk)
    assert document.summary == ""


def test_the_write_tools_are_named_in_one_place() -> None:
    """Every tool that passes the approval gate is in WRITE_TOOLS, and nothing else is."""
    gated = set(document_write_tools().tools) | {"update_corpus_description"}
    assert set(corpus_tools().tools) & set(WRITE_TOOLS) == {"update_corpus_description"}
    assert gated == set(WRITE_TOOLS)
