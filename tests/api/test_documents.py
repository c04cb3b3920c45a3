"""Uploading (validation, storage, ingestion hand-off), listing, text, annotations, delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from fpdf import FPDF

from opencontractserver.annotations.models import Annotation, Note
from opencontractserver.corpuses.models import Corpus
from opencontractserver.documents.models import Document
from opencontractserver.documents.services import update_document_summary
from opencontractserver.users.models import User
from tests.support.api_client import ApiClient
from tests.support.api_world import World

pytestmark = pytest.mark.django_db


def _pdf_bytes(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def _upload(user: User, name: str, content: bytes, **fields: Any) -> Any:
    data = {"file": SimpleUploadedFile(name, content), **fields}
    return ApiClient(user).upload("/api/documents", data)


@pytest.mark.parametrize(
    ("name", "content", "mime_type"),
    [
        ("terms.txt", b"Payment is due in 30 days.", "text/plain"),
        ("terms.md", b"# Terms\n\nPayment is due in 30 days.", "text/markdown"),
        ("terms.pdf", _pdf_bytes("Payment is due in 30 days."), "application/pdf"),
    ],
)
def test_txt_md_and_pdf_uploads_are_stored_pending_and_handed_to_ingestion(
    owner: User, submitted_ingestions: list[int], name: str, content: bytes, mime_type: str
) -> None:
    response = _upload(owner, name, content)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "terms"
    assert body["mime_type"] == mime_type
    assert body["status"] == "pending"
    assert body["can_write"] is True
    document = Document.objects.get(pk=body["id"])
    with document.file.open("rb") as handle:
        assert handle.read() == content
    assert submitted_ingestions == [document.pk]


def test_upload_into_a_corpus_with_title_and_visibility(owner: User) -> None:
    corpus = Corpus.objects.create(title="Leases", creator=owner)
    response = _upload(
        owner,
        "a.txt",
        b"text",
        title="  Lease A ",
        corpus_id=str(corpus.pk),
        is_public="true",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Lease A" and body["is_public"] is True
    assert list(corpus.documents.values_list("pk", flat=True)) == [body["id"]]


def test_too_big_upload_is_refused_with_413(owner: User, settings: Any) -> None:
    settings.OC_MAX_UPLOAD_BYTES = 100
    response = _upload(owner, "big.txt", b"x" * 101)
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "file_too_large"
    assert "limit is 100 bytes" in body["message"]
    assert not Document.objects.exists()


def test_upload_at_the_size_limit_is_accepted(owner: User, settings: Any) -> None:
    settings.OC_MAX_UPLOAD_BYTES = 100
    assert _upload(owner, "edge.txt", b"x" * 100).status_code == 201


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("contract.docx", b"PK\x03\x04 not supported", "unsupported_file_type"),
        ("contract", b"no extension", "unsupported_file_type"),
        ("empty.txt", b"", "empty_file"),
        ("blank.md", b"  \n\t ", "empty_file"),
        ("fake.pdf", b"This is not a PDF", "invalid_file_content"),
        ("latin1.txt", "Café déjà".encode("latin-1"), "invalid_file_content"),
    ],
)
def test_unacceptable_files_are_refused_with_422_and_a_clear_message(
    owner: User, submitted_ingestions: list[int], name: str, content: bytes, code: str
) -> None:
    response = _upload(owner, name, content)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    assert not Document.objects.exists()
    assert submitted_ingestions == []


def test_unsupported_type_message_lists_the_allowed_types(owner: User) -> None:
    message = _upload(owner, "x.docx", b"data").json()["message"]
    assert "md, pdf, txt" in message


def test_upload_without_a_file_is_a_validation_error(owner: User) -> None:
    response = ApiClient(owner).upload("/api/documents", {"title": "nothing"})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_document_list_filters_by_corpus_and_searches_titles(owner: User) -> None:
    corpus = Corpus.objects.create(title="C", creator=owner)
    in_corpus = _upload(owner, "Lease Alpha.txt", b"a", corpus_id=str(corpus.pk)).json()["id"]
    _upload(owner, "Lease Beta.txt", b"b")
    nda = _upload(owner, "NDA.txt", b"c").json()["id"]
    client = ApiClient(owner)
    assert [
        d["id"] for d in client.get("/api/documents", {"corpus_id": corpus.pk}).json()["items"]
    ] == [in_corpus]
    assert client.get("/api/documents", {"search": "lease"}).json()["count"] == 2
    assert [d["id"] for d in client.get("/api/documents", {"search": "nda"}).json()["items"]] == [
        nda
    ]


def test_document_text_and_original_file(world: World) -> None:
    world.document.text = "The tenant shall pay rent monthly."
    world.document.page_count = 1
    world.document.save()
    client = ApiClient(world.owner)
    text = client.get(f"/api/documents/{world.document.pk}/text").json()
    assert text == {
        "id": world.document.pk,
        "status": "pending",
        "page_count": 1,
        "text": "The tenant shall pay rent monthly.",
    }
    response = client.get(f"/api/documents/{world.document.pk}/file")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"The tenant shall pay rent monthly."
    assert response["Content-Type"] == "text/plain"
    response.close()


def test_annotations_are_paged_in_reading_order_and_filter_by_page(world: World) -> None:
    for page in (3, 2, 2):
        Annotation.objects.create(
            document=world.document,
            page=page,
            char_start=page * 10,
            char_end=page * 10 + 5,
            raw_text="words",
            json={"start": page * 10, "end": page * 10 + 5},
        )
    client = ApiClient(world.reader)
    path = f"/api/documents/{world.document.pk}/annotations"
    everything = client.get(path).json()
    assert everything["count"] == 4
    assert [a["page"] for a in everything["items"]] == [1, 2, 2, 3]
    assert everything["items"][1]["json"] == {"start": 20, "end": 25}
    on_two = client.get(path, {"on_page": 2}).json()
    assert on_two["count"] == 2 and {a["page"] for a in on_two["items"]} == {2}
    structural = client.get(path, {"structural": "true"}).json()
    assert [a["id"] for a in structural["items"]] == [world.annotation.pk]


def test_notes_are_listed_newest_first_with_who_wrote_them(world: World) -> None:
    first = Note.objects.create(
        document=world.document, content="Renew by March", creator=world.owner
    )
    second = Note.objects.create(document=world.document, content="Check insurance", creator=None)
    elsewhere = Document.objects.create(title="Elsewhere", creator=world.owner)
    Note.objects.create(document=elsewhere, content="Not this document")
    listed = ApiClient(world.reader).get(f"/api/documents/{world.document.pk}/notes").json()
    assert listed["count"] == 2
    assert [n["id"] for n in listed["items"]] == [second.pk, first.pk]
    assert [n["creator"] for n in listed["items"]] == [None, "owner"]
    assert listed["items"][1]["content"] == "Renew by March"


def test_a_documents_summary_is_shown_to_its_readers_once_set(world: World) -> None:
    path = f"/api/documents/{world.document.pk}"
    assert ApiClient(world.reader).get(path).json()["summary"] == ""
    update_document_summary(world.owner, world.document.pk, "  A five-year lease of suite 710.  ")
    assert ApiClient(world.reader).get(path).json()["summary"] == "A five-year lease of suite 710."


def test_delete_removes_the_document_and_its_file(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    stored = Path(world.document.file.path)
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient(world.writer).delete(f"/api/documents/{world.document.pk}")
    assert response.status_code == 204
    assert not Document.objects.filter(pk=world.document.pk).exists()
    assert not stored.exists()


def test_sharing_a_document_grants_access_to_it_alone(world: World) -> None:
    owner = ApiClient(world.owner)
    third = ApiClient(world.third)
    path = f"/api/documents/{world.document.pk}"
    assert third.get(path).status_code == 404

    shared = owner.post(f"{path}/shares", {"username": "third", "permission": "read"})
    assert shared.status_code == 200
    assert third.get(path).json()["can_write"] is False
    assert third.get(f"/api/corpuses/{world.corpus.pk}").status_code == 404
    assert third.delete(path).status_code == 403

    owner.post(f"{path}/shares", {"username": "third", "permission": "write"})
    assert third.get(path).json()["can_write"] is True
    shares = owner.get(f"{path}/shares").json()
    assert [(s["username"], s["permission"]) for s in shares] == [
        ("reader", "read"),
        ("third", "write"),
    ]

    assert owner.delete(f"{path}/shares/third").status_code == 204
    assert third.get(path).status_code == 404
    assert owner.delete(f"{path}/shares/third").status_code == 404
    assert owner.post(f"{path}/shares", {"username": "owner"}).status_code == 422
    assert owner.post(f"{path}/shares", {"username": "ghost"}).status_code == 404
