"""A turn in an existing conversation starts in one database round trip.

One statement, its own transaction (no BEGIN and COMMIT round trips), locks the conversation if
the user may write to it (the ORM's `writable_by`, which re-checks read access to the subject),
looks for a running or paused turn *after* the lock (`conversations_active_turn`, migration
0004: a snapshot of its own, so a turn a racing start committed while this one waited is seen),
looks up an earlier turn of a resent `client_id`, and inserts the HUMAN and the `in_progress`
LLM message only when nothing stands in the way. The turn store (turn_store.py: `start_turn`)
reads the answer and decides what to say; a refusal costs its own queries only when one is due.

The statement is compiled once per subject shape from the ORM's querysets
(shared/prepared_sql.py), so the permission rule has one definition and no call compiles SQL;
PostgreSQL prepares it once per connection.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Func, JSONField, OuterRef, QuerySet, Subquery

from opencontractserver.shared.prepared_sql import (
    Fragment,
    compile_queryset,
    execute,
    insert_columns,
    insert_values,
    sentinel_int,
    sentinel_uuid,
)
from opencontractserver.users.models import User

from .message_data import LlmMessageData
from .models import ChatMessage, Conversation, MessageState, MessageType


def earlier_turn_of_client_id(
    user_id: int, client_id: UUID, document_id: int | None, corpus_id: int | None
) -> QuerySet[ChatMessage, dict[str, Any]]:
    """The first HUMAN message `user_id` sent with `client_id` about this subject, with the
    LLM message answering it (`llm_id`, None when there is none): (id, conversation_id,
    llm_id)."""
    answer = (
        ChatMessage.objects.filter(
            conversation_id=OuterRef("conversation_id"),
            msg_type=MessageType.LLM,
            data__user_message_id=Func(
                OuterRef("pk"), function="to_jsonb", output_field=JSONField()
            ),
        )
        .order_by("created", "id")
        .values("id")[:1]
    )
    return (
        ChatMessage.objects.filter(
            creator_id=user_id,
            client_id=client_id,
            msg_type=MessageType.HUMAN,
            conversation__chat_with_document_id=document_id,
            conversation__chat_with_corpus_id=corpus_id,
        )
        .order_by("created", "id")
        .annotate(llm_id=Subquery(answer))
        .values("id", "conversation_id", "llm_id")[:1]
    )


@dataclass(frozen=True)
class StartAnswer:
    """What the statement found and did."""

    writable: bool  # the user may write to the conversation (it was locked)
    active_id: int | None  # its running or paused message, if any
    active_state: str | None
    active_owner_key: int | None
    earlier: tuple[int, int, int] | None  # (conversation, HUMAN, LLM) of a resent client_id
    human_id: int | None  # the messages inserted (None when something stood in the way)
    llm_id: int | None


_SKIPPED = {"conversation_id"}  # taken from the locked row
_USER, _CONVERSATION, _DOCUMENT, _CORPUS = (
    sentinel_int(name, index)
    for index, name in enumerate(("user_id", "conversation_id", "document_id", "corpus_id"))
)
_CLIENT = sentinel_uuid("client_id", 0)


def _insert_target() -> tuple[str, str, list[str]]:
    """The messages' table, its quoted insert columns, and those columns."""
    columns = insert_columns(ChatMessage, _SKIPPED)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    return connection.ops.quote_name(ChatMessage._meta.db_table), names, columns


def _llm_values(columns: list[str]) -> str:
    """The LLM message's values: the template's, its data naming the HUMAN message inserted."""
    return ", ".join(
        "jsonb_set(%(llm_data)s, '{user_message_id}', to_jsonb(human.id))"
        if column == "data"
        else f"%(llm_{column})s"
        for column in columns
    )


def _llm_template(owner_key: int) -> dict[str, Any]:
    """The bound values of the `in_progress` LLM message (its user_message_id: set by the SQL)."""
    llm = ChatMessage(
        msg_type=MessageType.LLM,
        state=MessageState.IN_PROGRESS,
        owner_key=owner_key,
        data=LlmMessageData(user_message_id=0, last_seq=0).dump(),
    )
    return {f"llm_{column}": value for column, value in insert_values(llm, _SKIPPED).items()}


def _answer(row: tuple[Any, ...]) -> StartAnswer:
    """A row of the statement (writable, active turn, earlier turn, inserted ids) as read."""
    writable, active_id, active_state, active_owner, *earlier, human_id, llm_id = row
    return StartAnswer(
        writable=bool(writable),
        active_id=active_id,
        active_state=active_state,
        active_owner_key=active_owner,
        earlier=(earlier[0], earlier[1], earlier[2]) if earlier[2] is not None else None,
        human_id=human_id,
        llm_id=llm_id,
    )


_NO_EARLIER = (
    "SELECT NULL::bigint AS id, NULL::bigint AS conversation_id, NULL::bigint AS llm_id WHERE false"
)


@functools.cache
def _statement(with_client_id: bool, with_document: bool, with_corpus: bool) -> Fragment:
    """The start statement for one shape of call (compiled once, in a transaction of its own:
    Django compiles a locking queryset only inside one)."""
    with transaction.atomic():
        return _compile_statement(with_client_id, with_document, with_corpus)


def _parts(
    with_client_id: bool, with_document: bool, with_corpus: bool
) -> tuple[Fragment, Fragment | None]:
    """The lock's query (may the user write to the conversation) and, with a client_id, the
    earlier turn's, compiled from the ORM with sentinels for the per-call values."""
    locked = compile_queryset(
        Conversation.objects.writable_by(User(pk=_USER.value))
        .filter(pk=_CONVERSATION.value)
        .select_for_update(of=("self",))
        .values("pk"),
        [_USER, _CONVERSATION],
        "lock",
    )
    if not with_client_id:
        return locked, None
    sentinels = [_USER, _CLIENT]
    sentinels += [_DOCUMENT] if with_document else []
    sentinels += [_CORPUS] if with_corpus else []
    earlier = compile_queryset(
        earlier_turn_of_client_id(
            _USER.value,
            _CLIENT.value,
            _DOCUMENT.value if with_document else None,
            _CORPUS.value if with_corpus else None,
        ),
        sentinels,
        "earlier",
    )
    return locked, earlier


def _compile_statement(with_client_id: bool, with_document: bool, with_corpus: bool) -> Fragment:
    locked, earlier_fragment = _parts(with_client_id, with_document, with_corpus)
    fixed = dict(locked.fixed)
    if earlier_fragment is not None:
        earlier = earlier_fragment.sql
        fixed.update(earlier_fragment.fixed)
    else:
        earlier = _NO_EARLIER
    table, names, columns = _insert_target()
    human_values = ", ".join(f"%(human_{column})s" for column in columns)
    sql = f"""
        WITH locked AS ({locked.sql}),
        earlier AS ({earlier}),
        active AS (
            SELECT a.id, a.state, a.owner_key
            FROM locked, LATERAL conversations_active_turn(locked.pk, %(active_states)s) AS a
        ),
        human AS (
            INSERT INTO {table} (conversation_id, {names})
            SELECT locked.pk, {human_values} FROM locked
            WHERE NOT EXISTS (SELECT 1 FROM active)
              AND NOT EXISTS (SELECT 1 FROM earlier WHERE earlier.llm_id IS NOT NULL)
            RETURNING id, conversation_id
        ),
        llm AS (
            INSERT INTO {table} (conversation_id, {names})
            SELECT human.conversation_id, {_llm_values(columns)} FROM human
            RETURNING id
        )
        SELECT EXISTS (SELECT 1 FROM locked), a.id, a.state, a.owner_key,
               e.conversation_id, e.id, e.llm_id,
               (SELECT id FROM human), (SELECT id FROM llm)
        FROM (SELECT 1) AS one
        LEFT JOIN active AS a ON true
        LEFT JOIN (SELECT * FROM earlier WHERE earlier.llm_id IS NOT NULL) AS e ON true
    """
    return Fragment(sql, fixed)


def start_in_conversation(
    *,
    user: User,
    document_id: int | None,
    corpus_id: int | None,
    conversation_id: int,
    query: str,
    client_id: UUID | None,
    owner_key: int,
    active_states: tuple[str, ...],
) -> StartAnswer:
    """Run the start statement: on its own it is its own transaction (the lock is held until
    the messages are inserted); inside the caller's, part of it."""
    statement = _statement(client_id is not None, document_id is not None, corpus_id is not None)
    human = ChatMessage(
        msg_type=MessageType.HUMAN,
        content=query,
        state=MessageState.COMPLETED,
        creator_id=user.pk,
        client_id=client_id,
    )
    params: dict[str, Any] = {
        "user_id": user.pk,
        "conversation_id": conversation_id,
        "client_id": client_id,
        "document_id": document_id,
        "corpus_id": corpus_id,
        "active_states": list(active_states),
        **{f"human_{column}": value for column, value in insert_values(human, _SKIPPED).items()},
        **_llm_template(owner_key),
    }
    (row,) = execute(statement, params)
    return _answer(row)


# --- several starts in one statement ---------------------------------------------------------


@dataclass(frozen=True)
class StartRequest:
    """One user's question in an existing conversation, for `start_in_conversations`."""

    user_id: int
    conversation_id: int
    document_id: int | None
    corpus_id: int | None
    query: str
    client_id: UUID | None

    @property
    def shape(self) -> tuple[bool, bool, bool]:
        """Which start statement it takes: with a client_id, a document, a corpus."""
        return (
            self.client_id is not None,
            self.document_id is not None,
            self.corpus_id is not None,
        )


_PER_REQUEST = {"user_id", "conversation_id", "client_id", "document_id", "corpus_id"}
# The HUMAN message's columns that differ from one request to the next (the rest, and all of
# the LLM message's, are the same for every request of a batch).
_HUMAN_PER_REQUEST = {
    "content": "req.content",
    "creator_id": "req.user_id",
    "client_id": "req.client_id",
}


def _per_request(fragment: Fragment) -> str:
    """`fragment`'s SQL with each per-call value taken from the request row `req`."""
    sql = fragment.sql
    for name in _PER_REQUEST:
        sql = sql.replace(f"%({name})s", f"req.{name}")
    return sql


@functools.cache
def _batch_statement(with_client_id: bool, with_document: bool, with_corpus: bool) -> Fragment:
    """The start statement for many requests of one shape, each in a conversation of its own:
    the same lock, active-turn check, earlier-turn lookup and inserts as `_statement`, per
    request row (the conversations are locked in id order, as every batch locks them)."""
    with transaction.atomic():
        locked, earlier_fragment = _parts(with_client_id, with_document, with_corpus)
    fixed = dict(locked.fixed)
    earlier = _NO_EARLIER
    if earlier_fragment is not None:
        earlier = _per_request(earlier_fragment)
        fixed.update(earlier_fragment.fixed)
    table, names, columns = _insert_target()
    human_values = ", ".join(
        _HUMAN_PER_REQUEST.get(column, f"%(human_{column})s") for column in columns
    )
    sql = f"""
        WITH req AS (
            SELECT * FROM unnest(
                %(idx)b::integer[], %(user_ids)b::bigint[], %(conversation_ids)b::bigint[],
                %(client_ids)b::uuid[], %(document_ids)b::bigint[], %(corpus_ids)b::bigint[],
                %(contents)b::text[]
            ) AS req (idx, user_id, conversation_id, client_id, document_id, corpus_id, content)
        ),
        locked AS (
            SELECT req.idx, l.pk
            FROM (SELECT * FROM req ORDER BY req.conversation_id) AS req,
            LATERAL ({_per_request(locked)}) AS l
        ),
        earlier AS (
            SELECT req.idx, e.id, e.conversation_id, e.llm_id
            FROM req, LATERAL ({earlier}) AS e
            WHERE e.llm_id IS NOT NULL
        ),
        active AS (
            SELECT locked.idx, a.id, a.state, a.owner_key
            FROM locked, LATERAL conversations_active_turn(locked.pk, %(active_states)s) AS a
        ),
        human AS (
            INSERT INTO {table} (conversation_id, {names})
            SELECT locked.pk, {human_values}
            FROM locked JOIN req ON req.idx = locked.idx
            WHERE NOT EXISTS (SELECT 1 FROM active WHERE active.idx = locked.idx)
              AND NOT EXISTS (SELECT 1 FROM earlier WHERE earlier.idx = locked.idx)
            RETURNING id, conversation_id
        ),
        llm AS (
            INSERT INTO {table} (conversation_id, {names})
            SELECT human.conversation_id, {_llm_values(columns)} FROM human
            RETURNING id, conversation_id
        )
        SELECT req.idx, locked.pk IS NOT NULL, a.id, a.state, a.owner_key,
               e.conversation_id, e.id, e.llm_id, h.id, m.id
        FROM req
        LEFT JOIN locked ON locked.idx = req.idx
        LEFT JOIN active AS a ON a.idx = req.idx
        LEFT JOIN earlier AS e ON e.idx = req.idx
        LEFT JOIN human AS h ON h.conversation_id = req.conversation_id
        LEFT JOIN llm AS m ON m.conversation_id = req.conversation_id
        ORDER BY req.idx
    """
    return Fragment(sql, fixed)


def start_in_conversations(
    requests: list[StartRequest], *, owner_key: int, active_states: tuple[str, ...]
) -> list[StartAnswer]:
    """Run the start statement once for `requests` (one shape, each in a conversation of its
    own): their answers, in order, as `start_in_conversation` gives them one by one."""
    shapes = {request.shape for request in requests}
    conversations = {request.conversation_id for request in requests}
    if len(shapes) != 1 or len(conversations) != len(requests):
        raise ValueError("a batch of starts takes one shape and one request per conversation")
    statement = _batch_statement(*shapes.pop())
    template = ChatMessage(msg_type=MessageType.HUMAN, content="", state=MessageState.COMPLETED)
    params: dict[str, Any] = {
        "idx": list(range(len(requests))),
        "user_ids": [request.user_id for request in requests],
        "conversation_ids": [request.conversation_id for request in requests],
        "client_ids": [request.client_id for request in requests],
        "document_ids": [request.document_id for request in requests],
        "corpus_ids": [request.corpus_id for request in requests],
        "contents": [request.query for request in requests],
        "active_states": list(active_states),
        **{f"human_{c}": v for c, v in insert_values(template, _SKIPPED).items()},
        **_llm_template(owner_key),
    }
    # Each row: the request's index, then what the single statement answers.
    return [_answer(row[1:]) for row in execute(statement, params)]
