"""The one-statement turn start (conversations/turn_start.py): its permission check is the ORM's
`writable_by`, case by case; and a turn's statements (start, checkpoint, final write, title
check) compile no SQL once they are built."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from uuid import UUID, uuid4

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models.sql.compiler import SQLCompiler

from opencontractserver.conversations import turn_store
from opencontractserver.conversations.chat_refusal import ChatRefusal
from opencontractserver.conversations.message_data import Usage
from opencontractserver.conversations.models import (
    ChatMessage,
    Conversation,
    ConversationShare,
    MessageState,
    MessageType,
)
from opencontractserver.conversations.ownership import process_owner_key
from opencontractserver.conversations.services import save_title_if_blank
from opencontractserver.conversations.subject import ChatSubject
from opencontractserver.conversations.turn_start import (
    StartRequest,
    start_in_conversation,
    start_in_conversations,
)
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document, DocumentShare
from opencontractserver.llms.agents import titles
from opencontractserver.shared.models import SharePermission
from opencontractserver.users.models import User

pytestmark = pytest.mark.django_db
T = TypeVar("T")


def _rolled_back(run: Callable[[], T]) -> T:
    """What `run` returned, everything it wrote rolled back."""
    with transaction.atomic():
        result = run()
        transaction.set_rollback(True)
    return result


def _statement_says_writable(
    user: User, conversation: Conversation, client_id: UUID | None
) -> bool:
    """What the start statement found, alone and as a batch of one, its inserts rolled back."""
    request = StartRequest(
        user_id=user.pk,
        conversation_id=conversation.pk,
        document_id=conversation.chat_with_document_id,
        corpus_id=conversation.chat_with_corpus_id,
        query="What is the rent?",
        client_id=client_id,
    )
    answer = _rolled_back(
        lambda: start_in_conversation(
            user=user,
            document_id=request.document_id,
            corpus_id=request.corpus_id,
            conversation_id=request.conversation_id,
            query=request.query,
            client_id=request.client_id,
            owner_key=7,
            active_states=turn_store.ACTIVE_STATES,
        )
    )
    assert (answer.human_id is not None) == answer.writable, "inserts exactly when writable"
    (batched,) = _rolled_back(
        lambda: start_in_conversations(
            [request], owner_key=7, active_states=turn_store.ACTIVE_STATES
        )
    )
    assert batched.writable == answer.writable, "the batched statement decides the same"
    assert (batched.human_id is not None) == answer.writable
    return answer.writable


Case = tuple[str, Callable[[], User], bool]


@pytest.fixture
def subjects(private_document: Document, private_corpus: Corpus) -> list[ChatSubject]:
    """A document alone, a document in a corpus, a corpus alone (the statement's shapes)."""
    return [
        ChatSubject(private_document, None),
        ChatSubject(private_document, private_corpus),
        ChatSubject(None, private_corpus),
    ]


def _conversation(owner: User, subject: ChatSubject) -> Conversation:
    return Conversation.objects.create(
        creator=owner,
        chat_with_document_id=subject.document_id,
        chat_with_corpus_id=subject.corpus_id,
    )


def _share(conversation: Conversation, user: User, permission: str) -> User:
    ConversationShare.objects.create(conversation=conversation, user=user, permission=permission)
    return user


def _cases(
    conversation: Conversation, owner: User, subject: ChatSubject
) -> Iterator[tuple[str, User, bool]]:
    """(case, user, may write) for every permission case of a conversation of `subject`."""
    yield "owner", owner, True
    yield "stranger", User.objects.create_user(f"stranger-{conversation.pk}"), False
    sharer_read = User.objects.create_user(f"read-{conversation.pk}")
    sharer_write = User.objects.create_user(f"write-{conversation.pk}")
    revoked = User.objects.create_user(f"revoked-{conversation.pk}")
    for user in (sharer_read, sharer_write, revoked):
        if subject.document is not None:
            DocumentShare.objects.create(document=subject.document, user=user)
        if subject.corpus is not None:
            subject.corpus.shares.create(user=user)
    _share(conversation, sharer_read, SharePermission.READ)
    _share(conversation, sharer_write, SharePermission.WRITE)
    _share(conversation, revoked, SharePermission.WRITE)
    yield "conversation shared read-only", sharer_read, False
    yield "conversation shared for writing", sharer_write, True
    # A subject share revoked while the conversation share stays: not readable, not writable.
    DocumentShare.objects.filter(user=revoked).delete()
    if subject.corpus is not None:
        subject.corpus.shares.filter(user=revoked).delete()
    yield "subject share revoked", revoked, False
    # The subject made public: a conversation writer needs no subject share.
    public_writer = User.objects.create_user(f"public-{conversation.pk}")
    _share(conversation, public_writer, SharePermission.WRITE)
    yield "subject not public, no subject share", public_writer, False
    for model, pk in ((Document, subject.document_id), (Corpus, subject.corpus_id)):
        if pk is not None:
            model.objects.filter(pk=pk).update(is_public=True)
    yield "subject public, conversation shared for writing", public_writer, True
    yield "subject public, stranger", User.objects.create_user(f"anon-{conversation.pk}"), False


def test_the_start_statement_and_writable_by_agree_in_every_case(
    owner: User, subjects: list[ChatSubject]
) -> None:
    checked: list[tuple[str, bool]] = []
    for subject in subjects:
        conversation = _conversation(owner, subject)
        for case, user, expected in _cases(conversation, owner, subject):
            orm = Conversation.objects.writable_by(user).filter(pk=conversation.pk).exists()
            for client_id in (None, uuid4()):
                statement = _statement_says_writable(user, conversation, client_id)
                assert (statement, orm) == (expected, expected), (case, subject, client_id)
            checked.append((case, expected))
        Conversation.objects.filter(pk=conversation.pk).update(deleted_at="2026-01-01T00:00Z")
        assert not _statement_says_writable(owner, conversation, None), "deleted conversation"
        for model in (Document, Corpus):
            model.objects.update(is_public=False)
    assert len(checked) == 3 * 8
    # Anonymous users never reach the statement (their turns are not stored: LiveChat's
    # start_anonymous_turn); writable_by gives them nothing.
    assert not Conversation.objects.writable_by(AnonymousUser()).exists()


def test_a_turn_compiles_no_sql_once_its_statements_are_built(
    owner: User, private_document: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start, checkpoint, final write and title check: compiled on first use, then only bound."""
    subject = ChatSubject(private_document, None)

    def turn(conversation: Conversation, client_id: UUID | None) -> None:
        started = turn_store.start_turn(
            user=owner,
            subject=subject,
            conversation_id=conversation.pk,
            query="What is the rent?",
            client_id=client_id,
            owner_key=7,
        )
        assert isinstance(started, turn_store.StartedTurn)
        turn_store.checkpoint_turn(started.llm_message_id, "Ten")
        turn_store.finish_turn(
            started.llm_message_id,
            state=MessageState.COMPLETED,
            content="Ten euros.",
            sources=[],
            timeline=[],
            usage=Usage(),
            model_messages=[],
            last_seq=3,
        )
        exchange = titles._first_exchange(conversation.pk)
        assert exchange == ("", "What is the rent?", "Ten euros.")
        assert save_title_if_blank(conversation.pk, "Rent")

    for client_id in (None, uuid4()):
        turn(_conversation(owner, subject), client_id)
    conversations = [_conversation(owner, subject) for _ in range(2)]
    compiled: list[str] = []
    original = SQLCompiler.as_sql

    def counting(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        compiled.append(type(self).__name__)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    for conversation, client_id in zip(conversations, (None, uuid4()), strict=True):
        turn(conversation, client_id)
    assert compiled == []
    assert [c.title for c in Conversation.objects.filter(pk__in=[c.pk for c in conversations])] == [
        "Rent"
    ] * 2


def _start_prepared_runs() -> list[int]:
    """For each statement prepared on this connection that is the start statement, how many
    times PostgreSQL ran it prepared (its generic and custom plans)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ["%conversations_active_turn%"],
        )
        return [int(runs) for (runs,) in cursor.fetchall()]


def _six_starts(owner: User, document: Document) -> None:
    subject = ChatSubject(document, None)
    for _ in range(6):
        started = turn_store.start_turn(
            user=owner,
            subject=subject,
            conversation_id=_conversation(owner, subject).pk,
            query="What is the rent?",
            client_id=None,
            owner_key=7,
        )
        assert isinstance(started, turn_store.StartedTurn)


def test_the_start_statement_is_prepared_once_and_then_only_executed(
    owner: User, private_document: Document
) -> None:
    before = sum(_start_prepared_runs())  # the connection may have served earlier tests
    _six_starts(owner, private_document)
    runs = _start_prepared_runs()
    # One prepared statement, run six more times: planned once, not at every start.
    assert len(runs) == 1 and runs[0] - before == 6


def test_prepared_statements_can_be_turned_off_for_a_pooler(
    owner: User, private_document: Document, settings: Any
) -> None:
    settings.OC_DB_PREPARED_STATEMENTS = False
    before = sum(_start_prepared_runs())  # the connection may have served earlier tests
    _six_starts(owner, private_document)
    assert sum(_start_prepared_runs()) == before, "no start ran as a prepared statement"


def _request(
    user: User, conversation: Conversation, query: str, client_id: UUID | None = None
) -> turn_store.TurnRequest:
    return turn_store.TurnRequest(
        user=user,
        subject=ChatSubject(conversation.chat_with_document, conversation.chat_with_corpus),
        conversation_id=conversation.pk,
        query=query,
        client_id=client_id,
    )


@pytest.mark.parametrize("prepared", [True, False], ids=["prepared", "unprepared"])
def test_starts_stored_together_are_what_each_would_be_alone(
    prepared: bool,
    settings: Any,
    owner: User,
    stranger: User,
    private_document: Document,
    release_owner_key_at_end: None,
) -> None:
    settings.OC_DB_PREPARED_STATEMENTS = prepared  # off: Django's client-binding cursor
    subject = ChatSubject(private_document, None)
    free = [_conversation(owner, subject) for _ in range(3)]
    busy = _conversation(owner, subject)
    running = turn_store.start_turn(
        user=owner,
        subject=subject,
        conversation_id=busy.pk,
        query="first",
        client_id=None,
        owner_key=process_owner_key(),
    )
    assert isinstance(running, turn_store.StartedTurn)
    others = _conversation(owner, subject)  # the stranger may not write here

    results = turn_store.start_turns(
        [
            _request(owner, free[0], "rent?"),
            _request(owner, busy, "second"),
            _request(stranger, others, "mine?"),
            _request(owner, free[1], "deposit?"),
            _request(owner, free[2], "notice?"),
        ],
        owner_key=process_owner_key(),
    )

    started = [r for r in results if isinstance(r, turn_store.StartedTurn)]
    assert [type(r).__name__ for r in results] == [
        "StartedTurn",
        "ChatRefusal",
        "SubjectGone",
        "StartedTurn",
        "StartedTurn",
    ]
    assert isinstance(results[1], ChatRefusal) and results[1].error_code == "turn_running"
    for result, conversation, query in zip(
        started, (free[0], free[1], free[2]), ("rent?", "deposit?", "notice?"), strict=True
    ):
        assert result.conversation_id == conversation.pk
        human = ChatMessage.objects.get(pk=result.user_message_id)
        llm = ChatMessage.objects.get(pk=result.llm_message_id)
        assert (human.conversation_id, human.content, human.creator_id, human.msg_type) == (
            conversation.pk,
            query,
            owner.pk,
            MessageType.HUMAN,
        )
        assert (llm.conversation_id, llm.state, llm.owner_key) == (
            conversation.pk,
            MessageState.IN_PROGRESS,
            process_owner_key(),
        )
        assert llm.data["user_message_id"] == human.pk
    assert not ChatMessage.objects.filter(conversation=others).exists()
    assert ChatMessage.objects.filter(conversation=busy).count() == 2, "nothing added to it"


def test_a_resent_client_id_in_a_batch_returns_its_earlier_turn(
    owner: User, private_document: Document, release_owner_key_at_end: None
) -> None:
    subject = ChatSubject(private_document, None)
    first, second = _conversation(owner, subject), _conversation(owner, subject)
    client_id = uuid4()
    (earlier,) = turn_store.start_turns(
        [_request(owner, first, "rent?", client_id)], owner_key=process_owner_key()
    )
    again = turn_store.start_turns(
        [_request(owner, first, "rent?", client_id), _request(owner, second, "x?", uuid4())],
        owner_key=process_owner_key(),
    )
    assert isinstance(earlier, turn_store.StartedTurn)
    assert again[0] == turn_store.StartedTurn(
        earlier.conversation_id, earlier.user_message_id, earlier.llm_message_id, duplicate=True
    )
    assert isinstance(again[1], turn_store.StartedTurn) and not again[1].duplicate


@pytest.mark.django_db(transaction=True)
def test_batches_racing_over_the_same_conversations_start_each_exactly_once(
    owner: User, private_document: Document, release_owner_key_at_end: None
) -> None:
    """Two batches naming the same conversations in opposite orders: no deadlock (every batch
    locks in id order), and each conversation gets one turn, the other batch a refusal."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    subject = ChatSubject(private_document, None)
    conversations = [_conversation(owner, subject) for _ in range(4)]
    live = process_owner_key()

    def batch(order: list[Conversation]) -> list[object]:
        try:
            return list(
                turn_store.start_turns(
                    [_request(owner, c, f"about {c.pk}?") for c in order], owner_key=live
                )
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(batch, [conversations, conversations[::-1]])

    for index, conversation in enumerate(conversations):
        outcomes = {type(first[index]).__name__, type(second[-1 - index]).__name__}
        assert outcomes == {"StartedTurn", "ChatRefusal"}, conversation.pk
        running = ChatMessage.objects.filter(
            conversation=conversation, state=MessageState.IN_PROGRESS
        )
        assert running.count() == 1
