"""Ingestion off the request (after commit, in a worker thread), the ingest and reembed commands."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from pydantic_ai import Embedder
from pydantic_ai.embeddings import TestEmbeddingModel

from opencontractserver.annotations import vector_indexes
from opencontractserver.annotations.models import Annotation, PassageEmbedding
from opencontractserver.annotations.search import _vector_ranking_sql
from opencontractserver.annotations.vector_indexes import ensure_vector_index, index_name
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.ingestion import pipeline as pipeline_module
from opencontractserver.documents.ingestion import submit_ingestion, wait_for_ingestions
from opencontractserver.documents.models import Document, IngestionStatus
from opencontractserver.llms import embeddings as embeddings_module
from opencontractserver.llms.embeddings import PassageEmbedder, get_embedder
from opencontractserver.users.models import User
from tests.support.made_files import MakeDocument, make_pdf

LEASE = "The tenant pays rent monthly.\n\nEither party may end the lease with notice."


@pytest.mark.django_db(transaction=True)
def test_submitted_ingestion_runs_in_a_worker_after_commit(
    make_document: MakeDocument, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    real_ingest = pipeline_module.ingest

    def recording_ingest(document: Document, embedder: PassageEmbedder) -> Document:
        threads.append(threading.current_thread().name)
        return real_ingest(document, embedder)

    monkeypatch.setattr(pipeline_module, "ingest", recording_ingest)
    with transaction.atomic():
        document = make_document(LEASE.encode(), "lease.txt")
        submit_ingestion(document.pk)
        wait_for_ingestions(timeout=5)
        assert threads == []  # nothing runs before the upload is committed
    wait_for_ingestions(timeout=30)

    document.refresh_from_db()
    assert document.status == IngestionStatus.READY, document.status_reason
    assert document.annotations.get().raw_text == LEASE
    assert len(threads) == 1 and threads[0].startswith("ingestion")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_upload_is_never_ingested(make_document: MakeDocument) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        document = make_document(LEASE.encode(), "lease.txt")
        submit_ingestion(document.pk)
        raise RuntimeError("upload failed later")
    wait_for_ingestions(timeout=5)
    assert not Annotation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_unexpected_error_in_a_worker_fails_the_document(
    make_document: MakeDocument, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline_module, "store_vectors", crash)
    document = make_document(LEASE.encode(), "lease.txt")
    submit_ingestion(document.pk)
    wait_for_ingestions(timeout=30)

    document.refresh_from_db()
    assert document.status == IngestionStatus.FAILED
    assert "internal error" in document.status_reason
    assert not document.annotations.exists()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "contracts"
    (root / "nested").mkdir(parents=True)
    (root / "lease.txt").write_text(LEASE)
    (root / "nested" / "nda.md").write_text("# NDA\n\nSecrets stay secret.")
    (root / "nested" / "scan.pdf").write_bytes(make_pdf(["Page one of the lease."]))
    (root / "notes.docx").write_bytes(b"PK ignored: not a supported extension")
    return root


def run_ingest(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_ingest_command_loads_a_folder_into_a_corpus(owner: User, folder: Path) -> None:
    out, _ = run_ingest(str(folder), "--corpus", "Leases", "--owner", "owner")

    assert "3 files: 3 created, 0 replaced, 0 unchanged, 0 failed." in out
    corpus = Corpus.objects.get(title="Leases", creator=owner)
    documents = corpus.documents.order_by("title")
    assert [d.title for d in documents] == ["lease.txt", "nda.md", "scan.pdf"]
    assert all(d.status == IngestionStatus.READY for d in documents)
    assert documents.get(title="nda.md").mime_type == "text/markdown"


@pytest.mark.django_db
def test_ingest_command_skips_unchanged_files_and_replaces_changed_ones(
    owner: User, folder: Path
) -> None:
    run_ingest(str(folder), "--corpus", "Leases", "--owner", "owner")
    lease = Document.objects.get(title="lease.txt")
    nda_passages = list(Document.objects.get(title="nda.md").annotations.values_list("pk"))
    (folder / "lease.txt").write_text("A new lease: rent is due weekly.")

    out, _ = run_ingest(str(folder), "--corpus", "Leases", "--owner", "owner")

    assert "3 files: 0 created, 1 replaced, 2 unchanged, 0 failed." in out
    assert Document.objects.filter(title="lease.txt").count() == 1
    lease.refresh_from_db()
    assert lease.text == "A new lease: rent is due weekly."
    assert list(Document.objects.get(title="nda.md").annotations.values_list("pk")) == (
        nda_passages
    )


@pytest.mark.django_db
def test_ingest_command_force_recuts_unchanged_files(owner: User, folder: Path) -> None:
    run_ingest(str(folder / "lease.txt"), "--owner", "owner")
    lease = Document.objects.get(title="lease.txt")
    lease.annotations.update(raw_text="stale cut")  # as if cut by an older chunker

    out, _ = run_ingest(str(folder / "lease.txt"), "--owner", "owner", "--force")

    assert "1 files: 0 created, 1 replaced, 0 unchanged, 0 failed." in out
    assert [a.raw_text for a in lease.annotations.all()] == [LEASE]


@pytest.mark.django_db
def test_ingest_command_reports_bad_files_and_goes_on(owner: User, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "good.txt").write_text("Rent is due monthly.")

    out, err = run_ingest(
        str(tmp_path / "empty.txt"), str(tmp_path / "good.txt"), "--owner", "owner"
    )

    assert "1 created, 0 replaced, 0 unchanged, 1 failed" in out
    assert "empty.txt: The file is empty." in err


@pytest.mark.django_db
def test_ingest_command_needs_an_existing_owner_and_path(owner: User, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No user named"):
        run_ingest(str(tmp_path), "--owner", "nobody")
    with pytest.raises(CommandError, match="No such file"):
        run_ingest(str(tmp_path / "missing.txt"), "--owner", "owner")


@pytest.mark.django_db
def test_ingest_pending_settles_documents_a_restart_left_pending(owner: User) -> None:
    stuck = Document.objects.create(title="stuck", creator=owner, text="Rent is due monthly.")
    bad = Document.objects.create(title="bad", creator=owner, text="   ")

    out, _ = run_ingest("--pending")

    assert "2 pending documents: 1 failed, 1 ready." in out
    stuck.refresh_from_db()
    bad.refresh_from_db()
    assert (stuck.status, bad.status) == (IngestionStatus.READY, IngestionStatus.FAILED)


@pytest.mark.django_db
def test_reembed_fills_in_vectors_for_a_new_embedder_and_prunes_the_old(
    owner: User, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_ingest(str(folder), "--owner", "owner")
    passages = Annotation.objects.filter(structural=True).count()
    old_name = get_embedder().name
    other = PassageEmbedder(name="test:eight", embedder=Embedder(TestEmbeddingModel(dimensions=8)))
    monkeypatch.setattr(embeddings_module, "_embedder_for", lambda setting: other)
    out = io.StringIO()

    call_command("reembed", "--prune", stdout=out, stderr=io.StringIO())

    assert f"Embedded {passages} passages with test:eight." in out.getvalue()
    assert PassageEmbedding.objects.filter(embedder="test:eight", dimension=8).count() == passages
    assert not PassageEmbedding.objects.filter(embedder=old_name).exists()
    call_command("reembed", stdout=out, stderr=io.StringIO())
    assert "Embedded 0 passages" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("dimension", [384, 12, 3000])
def test_approximate_vector_search_uses_the_hnsw_index_of_its_dimension(dimension: int) -> None:
    vector_indexes._known.discard(dimension)  # the test database may be new to this process
    ensure_vector_index(dimension)
    sql = _vector_ranking_sql(dimension, approximate=True)
    vector = "[" + ",".join(["0.5"] * dimension) + "]"
    with connection.cursor() as cursor:
        # Statistics left by earlier tests' rows (autovacuum) could make the planner prefer
        # the (embedder, document) index; the question here is whether the HNSW index matches.
        cursor.execute("ANALYZE annotations_passageembedding")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, {"vector_0": vector, "embedder": "x", "docs": [1], "k": 5})
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index_name(dimension) in plan
