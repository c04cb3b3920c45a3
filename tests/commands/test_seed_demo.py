"""`manage.py seed_demo`: the demo is complete, ready, and seeding twice creates nothing new."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from opencontractserver.annotations.models import Annotation, PassageEmbedding
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents import seeding
from opencontractserver.documents.models import Document
from opencontractserver.documents.seeding import DEMO_DIR, DEMO_DOCUMENTS
from opencontractserver.llms.embeddings import build_embedder
from opencontractserver.users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


def _counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        Corpus.objects.count(),
        Document.objects.count(),
        Annotation.objects.count(),
    )


def test_demo_texts_are_contract_sized() -> None:
    for demo in DEMO_DOCUMENTS:
        words = len((DEMO_DIR / demo.source).read_text(encoding="utf-8").split())
        assert 600 <= words <= 1500, (demo.source, words)


def test_seed_creates_the_demo_ready_to_use() -> None:
    output = _seed()
    assert "Demo login: username 'demo', password 'demo-password'" in output
    user = User.objects.get(username="demo")
    assert user.check_password("demo-password")
    corpus = Corpus.objects.get(title="Demo contracts", creator=user)
    assert corpus.is_public
    documents = list(corpus.documents.order_by("title"))
    assert len(documents) == len(DEMO_DOCUMENTS) == 5
    assert all(d.is_public and d.status == "ready" for d in documents), [
        (d.title, d.status, d.status_reason) for d in documents
    ]
    pdfs = [d for d in documents if d.mime_type == "application/pdf"]
    assert len(pdfs) == 1
    assert pdfs[0].page_count >= 2
    assert "USD 4.85 per unit" in pdfs[0].text
    lease = next(d for d in documents if d.title.startswith("Commercial Lease"))
    assert "$28,700" in lease.text


def test_seeding_twice_creates_nothing_new() -> None:
    _seed()
    before = _counts()
    ids = set(Document.objects.values_list("pk", flat=True))
    output = _seed()
    assert _counts() == before
    assert set(Document.objects.values_list("pk", flat=True)) == ids
    assert "nothing new created" in output


def test_seed_restores_a_demo_document_removed_from_the_corpus() -> None:
    _seed()
    corpus = Corpus.objects.get(title="Demo contracts")
    document = corpus.documents.first()
    assert document is not None
    corpus.documents.remove(document)
    _seed()
    assert corpus.documents.count() == 5
    assert Document.objects.count() == 5


def test_password_from_the_environment_setting_wins(settings: Any) -> None:
    _seed()
    settings.OC_DEMO_PASSWORD = "another-password"
    output = _seed()
    assert "password reset" in output
    assert User.objects.get(username="demo").check_password("another-password")


def test_demo_corpus_is_readable_anonymously_through_the_api() -> None:
    _seed()
    body = Client().get("/api/corpuses").json()
    assert [c["title"] for c in body["items"]] == ["Demo contracts"]
    assert body["items"][0]["document_count"] == 5


def test_seeding_after_the_embedder_changed_embeds_the_stored_passages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _seed()
    wordllama = build_embedder("wordllama")
    monkeypatch.setattr(seeding, "get_embedder", lambda: wordllama)

    out = _seed()

    passages = Annotation.objects.filter(structural=True).count()
    assert f"Embedded {passages} stored passages" in out
    assert PassageEmbedding.objects.filter(embedder=wordllama.name).count() == passages
    assert "Embedded" not in _seed()  # nothing left to embed
